// `npm run bench:rest`: what a request costs the client that makes it. The controllers' restClient (undici, on the
// kubeconfig's TLS context) and a bare Node https.request on a keep-alive agent (bench/client.ts's send, what
// restClient used until the twenty-ninth session) each make keep-alive HTTPS POSTs of a Work-sized JSON body, 8 in
// flight, to a bare Node HTTPS server in another process that answers each with an object of the same size. The
// figure is the client process's CPU (user + system) per request, so the server's own CPU is not in it.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.js';
import { ensurePKI } from '../apiserver/auth/pki.js';
import { KeepAliveKubeConfig } from '../controllers/runtime/client.js';
import { restClient } from '../controllers/runtime/rest.js';
import { tempDir } from '../e2e/harness.js';
import { keepAliveAgent, send, type Credentials } from './client.js';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 2_000 : 20_000;
const WARMUP = quick ? 200 : 2_000;
const CONCURRENCY = 8;
const ROUNDS = 2;
const PATH = '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-member1/works';

/** About the size of a Work of the propagation benchmark's Deployments. */
const object = (name: string) => ({ apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name, namespace: 'karmada-es-member1' }, spec: { workload: { manifests: [{ note: 'x'.repeat(2_500) }] } } });

/** The server: answers every request with 201 and an object once its body has arrived; tells its parent the port. */
async function serve(dir: string): Promise<void> {
  const pki = await ensurePKI(dir);
  const answer = JSON.stringify(object('answer'));
  const server = createServer({ key: pki.servingKeyPem, cert: pki.servingCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    req.resume().on('end', () => res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer));
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}

/** CPU µs of this process per call of op, over n calls with CONCURRENCY in flight, after WARMUP calls. */
async function cpuPerCall(op: () => Promise<void>): Promise<number> {
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await op();
    }));
  };
  await run(WARMUP);
  const start = process.cpuUsage();
  await run(REQUESTS);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / REQUESTS;
}

async function main(): Promise<void> {
  const dir = await tempDir('flotilla-bench-rest-');
  let server: ChildProcess | undefined;
  try {
    const pki = await ensurePKI(dir);
    server = fork(fileURLToPath(import.meta.url), ['serve', dir]);
    const port = await new Promise<number>((resolve, reject) => server!.once('message', (p) => resolve(p as number)).once('exit', () => reject(new Error('the server exited'))));
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });
    const kc = new KeepAliveKubeConfig();
    kc.loadFromFile(kubeconfig);
    const rest = restClient(kc);
    const creds: Credentials = { port, ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem };
    const agent = keepAliveAgent(creds, 64);
    const clients: [string, () => Promise<void>][] = [
      ['restClient (undici)', () => rest.send('POST', PATH, { body: object('w') })],
      [
        'https.request, keep-alive agent',
        async () => {
          const res = await send(creds, agent, 'POST', PATH, JSON.stringify(object('w')));
          if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
        },
      ],
    ];
    const results: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) for (const [name, op] of clients) (results[name] ??= []).push(await cpuPerCall(op));
    agent.destroy();
    await kc.close();

    console.log(`| client (${REQUESTS} POSTs of ${JSON.stringify(object('w')).length} bytes, ${CONCURRENCY} in flight, ${ROUNDS} rounds) | client CPU per request |`);
    console.log('| --- | ---: |');
    for (const [name, us] of Object.entries(results)) console.log(`| ${name} | ${us.map((u) => `${u.toFixed(1)} µs`).join(' · ')} |`);
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/rest-latest.json', JSON.stringify({ requests: REQUESTS, concurrency: CONCURRENCY, cpu_us_per_request: results }, null, 2) + '\n');
  } finally {
    server?.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!);
else await main();

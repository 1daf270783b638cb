// `npm run bench:patch`: the cost of strategic merge patch and server-side apply per operation for a typical
// Deployment (in process, µs), and patch throughput over HTTPS against a real apiserver process.
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { defaulting } from '../apiserver/admission/defaults.js';
import { FieldManager } from '../apiserver/fieldmanager/index.js';
import { strategicMergePatch } from '../apiserver/patch/strategicmerge.js';
import { BUILTIN_RESOURCES } from '../apiserver/registry/builtin.js';
import { APIServerProcess } from '../e2e/harness.js';
import { SchemaRegistry } from '../openapi/schemas.js';
import type { KObject } from '../storage/store.js';
import { closedLoop, keepAliveAgent, loadCredentials, requestOptions } from './client.js';

const quick = process.argv.includes('--quick');
const SCHEMA = 'io.k8s.api.apps.v1.Deployment';

function deployment(name: string, image: string): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name, tier: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'web',
              image,
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [{ name: 'MODE', value: 'prod' }, { name: 'LOG', value: 'info' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
            },
            { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'infinity'] },
          ],
          volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
        },
      },
    },
  };
}

/** The patch kubectl apply sends when one container's image changes. */
const smpPatch = (image: string) => ({
  spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image, name: 'web' }] } } },
});

function microbench(name: string, iterations: number, fn: (i: number) => void): { name: string; iterations: number; usPerOp: number } {
  for (let i = 0; i < Math.min(500, iterations); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  return { name, iterations, usPerOp: ((performance.now() - t0) * 1000) / iterations };
}

async function main(): Promise<void> {
  const schemas = new SchemaRegistry();
  const fm = new FieldManager(schemas);
  const rt = BUILTIN_RESOURCES.find((r) => r.kind === 'Deployment')!;
  const stored = deployment('web', 'nginx:1.25');
  defaulting().admit!({ operation: 'CREATE', resource: rt, name: 'web', object: stored, dryRun: false });
  const live = fm.apply(undefined, deployment('web', 'nginx:1.25'), 'bench', false, SCHEMA);
  const n = quick ? 2_000 : 20_000;
  const micro = [
    microbench('strategic merge patch (image change)', n, (i) => strategicMergePatch(stored, smpPatch(`nginx:1.${i % 50}`), SCHEMA, schemas)),
    microbench('server-side apply (image change)', n / 4, (i) => fm.apply(live, deployment('web', `nginx:1.${i % 50}`), 'bench', false, SCHEMA)),
    microbench('managedFields update (Update operation)', n / 4, (i) => fm.update(live, deployment('web', `nginx:1.${i % 50}`), 'kubectl-edit', SCHEMA)),
  ];

  const server = await APIServerProcess.start(['--log-level', 'warn']);
  const http: Record<string, unknown>[] = [];
  try {
    const creds = await loadCredentials(server.dataDir, server.port);
    const concurrency = 8;
    const agent = keepAliveAgent(creds, concurrency);
    const objects = quick ? 20 : 100;
    const call = (method: string, path: string, contentType: string, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(requestOptions(creds, agent, method, path, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }), (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const path = (i: number) => `/apis/apps/v1/namespaces/default/deployments/d${i % objects}`;
    for (let i = 0; i < objects; i++) await call('POST', '/apis/apps/v1/namespaces/default/deployments', 'application/json', JSON.stringify(deployment(`d${i}`, 'nginx:1.25')));
    const ops = quick ? 500 : 4_000;
    const runs: [string, (i: number) => Promise<number>][] = [
      ['merge patch', (i) => call('PATCH', path(i), 'application/merge-patch+json', JSON.stringify({ metadata: { annotations: { n: String(i) } } }))],
      ['strategic merge patch', (i) => call('PATCH', path(i), 'application/strategic-merge-patch+json', JSON.stringify(smpPatch(`nginx:1.${i}`)))],
      ['server-side apply', (i) => call('PATCH', `${path(i)}?fieldManager=bench&force=true`, 'application/apply-patch+yaml', JSON.stringify(deployment(`d${i % objects}`, `nginx:1.${i}`)))],
    ];
    // Warm every path up first (JIT, connections) so that the order of the runs does not decide their figures.
    for (const [, op] of runs) await closedLoop(quick ? 50 : 300, concurrency, 200, op);
    for (const [name, op] of runs) {
      const r = await closedLoop(ops, concurrency, 200, op);
      http.push({ name, ops, concurrency, opsPerSec: Math.round(r.opsPerSec), p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors });
    }
    agent.destroy();
  } finally {
    await server.destroy();
  }

  const lines = [
    '| in process (typical Deployment) | iterations | µs/op |',
    '| --- | ---: | ---: |',
    ...micro.map((m) => `| ${m.name} | ${m.iterations} | ${m.usPerOp.toFixed(1)} |`),
    '',
    '| over HTTPS (c=8, keep-alive) | ops | ops/s | P50 ms | P99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...http.map((h) => `| ${h.name} | ${h.ops} | ${h.opsPerSec} | ${(h.p50Ms as number).toFixed(2)} | ${(h.p99Ms as number).toFixed(2)} | ${JSON.stringify(h.errors)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/patch-latest.json', JSON.stringify({ quick, micro, http }, null, 2));
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});

// `npm run bench:patch`: the cost of strategic merge patch and server-side apply per operation for a typical
// Deployment (in process, µs), and patch throughput over HTTPS against a real apiserver process. Also the two writes a
// cold start makes of every ResourceBinding (the detector's update of spec.resource.resourceVersion and the
// scheduler's status patch of schedulerObservedGeneration), on a binding of 20 clusters with their statuses, as the
// propagation benchmark's burst leaves it: with the apiserver's CPU per write.
import { readFile } from 'node:fs/promises';
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

const BURST_CLUSTERS = 20;

/**
 * A ResourceBinding as the propagation benchmark's burst leaves one: a Deployment duplicated to 20 clusters, each
 * with its applied status, scheduled and fully applied (about 7.8 KB of JSON without its managedFields).
 */
function binding(i: number, ownerUid: string): { object: KObject; status: Record<string, unknown> } {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const clusters = Array.from({ length: BURST_CLUSTERS }, (_, k) => `member${k + 1}`);
  const placement = {
    clusterAffinity: { labelSelector: { matchLabels: { 'bench.flotilla.io/burst': 'true' } } },
    clusterTolerations: ['not-ready', 'unreachable'].map((t) => ({ effect: 'NoExecute', key: `cluster.karmada.io/${t}`, operator: 'Exists', tolerationSeconds: 300 })),
    replicaScheduling: { replicaSchedulingType: 'Duplicated' },
  };
  const object: KObject = {
    apiVersion: 'work.karmada.io/v1alpha2',
    kind: 'ResourceBinding',
    metadata: {
      name: `d${i}-deployment`,
      namespace: 'default',
      annotations: { 'clusterpropagationpolicy.karmada.io/name': 'bench-burst', 'policy.karmada.io/applied-placement': JSON.stringify(placement) },
      labels: { 'clusterpropagationpolicy.karmada.io/permanent-id': crypto.randomUUID(), 'resourcebinding.karmada.io/permanent-id': crypto.randomUUID() },
      finalizers: ['karmada.io/binding-controller'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `d${i}`, uid: ownerUid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      clusters: clusters.map((name) => ({ name, replicas: 2 })),
      conflictResolution: 'Abort',
      placement,
      replicas: 2,
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: `d${i}`, namespace: 'default', resourceVersion: '1', uid: ownerUid },
      schedulerName: 'default-scheduler',
    },
  };
  const replicas = { availableReplicas: 2, generation: 1, observedGeneration: 1, readyReplicas: 2, replicas: 2, resourceTemplateGeneration: 2, updatedReplicas: 2 };
  const status = {
    aggregatedStatus: clusters.map((clusterName) => ({ applied: true, clusterName, health: 'Healthy', status: replicas })),
    conditions: [
      { lastTransitionTime: time, message: 'Binding has been scheduled successfully.', reason: 'Success', status: 'True', type: 'Scheduled' },
      { lastTransitionTime: time, message: 'All works have been successfully applied', reason: 'FullyAppliedSuccess', status: 'True', type: 'FullyApplied' },
    ],
    lastScheduledTime: time,
    schedulerObservedGeneration: 1,
  };
  return { object, status };
}

/** The CPU milliseconds (user + system, every thread) pid has used. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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
    const bindingPath = (i: number) => `/apis/work.karmada.io/v1alpha2/namespaces/default/resourcebindings/d${i % objects}-deployment`;
    const uids: string[] = [];
    for (let i = 0; i < objects; i++) {
      const created = await server.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify(deployment(`d${i}`, 'nginx:1.25')) });
      uids.push(JSON.parse(created.body).metadata.uid);
      const { object, status } = binding(i, uids[i]);
      await server.request('POST', '/apis/work.karmada.io/v1alpha2/namespaces/default/resourcebindings', { body: JSON.stringify(object) });
      await call('PATCH', `${bindingPath(i)}/status`, 'application/merge-patch+json', JSON.stringify({ status }));
    }
    // The detector's write: the binding as the client last had it, with the template's new resourceVersion. Each
    // update sends what the last one stored, as a client's informer would have it; one that meets a conflict (a
    // status patch came between) reads the binding again and is sent once more, as the detector's retry would be.
    const latest = new Map<number, KObject>();
    const put = (k: number, b: KObject) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify(b);
        let answer = '';
        const req = request(requestOptions(creds, agent, 'PUT', bindingPath(k), { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => (answer += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: answer }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const updateBinding = async (i: number) => {
      const k = i % objects;
      for (let attempt = 1; ; attempt++) {
        const b = latest.get(k) ?? (JSON.parse((await server.request('GET', bindingPath(k))).body) as KObject);
        (b.spec as { resource: { resourceVersion: string } }).resource.resourceVersion = String(i + 2);
        const r = await put(k, b);
        if (r.status === 200) latest.set(k, JSON.parse(r.body));
        else latest.delete(k);
        if (r.status !== 409 || attempt === 2) return r.status;
      }
    };
    const ops = quick ? 500 : 4_000;
    const runs: [string, (i: number) => Promise<number>][] = [
      ['merge patch', (i) => call('PATCH', path(i), 'application/merge-patch+json', JSON.stringify({ metadata: { annotations: { n: String(i) } } }))],
      ['strategic merge patch', (i) => call('PATCH', path(i), 'application/strategic-merge-patch+json', JSON.stringify(smpPatch(`nginx:1.${i}`)))],
      ['server-side apply', (i) => call('PATCH', `${path(i)}?fieldManager=bench&force=true`, 'application/apply-patch+yaml', JSON.stringify(deployment(`d${i % objects}`, `nginx:1.${i}`)))],
    ];
    runs.push(
      ['ResourceBinding of 20 clusters: update (spec.resource.resourceVersion)', updateBinding],
      ['ResourceBinding of 20 clusters: merge patch (spec.resource.resourceVersion)', (i) => call('PATCH', bindingPath(i), 'application/merge-patch+json', JSON.stringify({ spec: { resource: { resourceVersion: String(i + 2) } } }))],
      ['ResourceBinding of 20 clusters: status merge patch (schedulerObservedGeneration)', (i) => call('PATCH', `${bindingPath(i)}/status`, 'application/merge-patch+json', JSON.stringify({ status: { schedulerObservedGeneration: i + 2 } }))],
    );
    // Warm every path up first (JIT, connections) so that the order of the runs does not decide their figures.
    for (const [, op] of runs) await closedLoop(quick ? 50 : 300, concurrency, 200, op);
    for (const [name, op] of runs) {
      const cpu0 = await cpuMs(server.proc!.pid!);
      const r = await closedLoop(ops, concurrency, 200, op);
      const serverCpuMsPerOp = ((await cpuMs(server.proc!.pid!)) - cpu0) / ops;
      http.push({ name, ops, concurrency, opsPerSec: Math.round(r.opsPerSec), p50Ms: r.p50Ms, p99Ms: r.p99Ms, serverCpuMsPerOp, errors: r.errors });
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
    '| over HTTPS (c=8, keep-alive) | ops | ops/s | P50 ms | P99 ms | apiserver CPU ms/op | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...http.map(
      (h) =>
        `| ${h.name} | ${h.ops} | ${h.opsPerSec} | ${(h.p50Ms as number).toFixed(2)} | ${(h.p99Ms as number).toFixed(2)} | ${(h.serverCpuMsPerOp as number).toFixed(2)} | ${JSON.stringify(h.errors)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/patch-latest.json', JSON.stringify({ quick, micro, http }, null, 2));
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});

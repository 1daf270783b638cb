// `flotilla members`: several simulated member clusters in one process, each with its own kubeconfig under
// /clusters/NAME, isolated from each other, with workloads becoming ready and an outage switch.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { CLI, freePort, tempDir } from './harness.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function client(kubeconfig: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

test('members serve isolated simulated clusters with an outage switch', async () => {
  const dir = await tempDir();
  const port = await freePort();
  const proc = spawn(process.execPath, [CLI, 'members', '--count', '2', '--data-dir', dir, '--port', String(port), '--regions', 'us-east,eu-west', '--capacity', '4:8Gi,2:4Gi', '--nodes', '2', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  try {
    const kubeconfigs = [1, 2].map((k) => join(dir, `member${k}`, 'admin.kubeconfig'));
    await until('kubeconfigs', async () => (out.includes('member2\t') && kubeconfigs.every((f) => existsSync(f)) ? true : undefined));
    const [m1, m2] = kubeconfigs.map(client);
    const nodes1 = (await m1.core.listNode()).items;
    assert.deepEqual(nodes1.map((n) => n.metadata!.name), ['member1-node-1', 'member1-node-2']);
    assert.equal(nodes1[0].metadata!.labels!['topology.kubernetes.io/region'], 'us-east');
    assert.equal(nodes1[0].status!.allocatable!.cpu, '4');
    const nodes2 = (await m2.core.listNode()).items;
    assert.equal(nodes2[0].metadata!.labels!['topology.kubernetes.io/region'], 'eu-west');

    await m1.apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    const ready = await until('web to become ready', async () => {
      const d = await m1.apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
      return d.status?.readyReplicas === 2 ? d : undefined;
    });
    assert.equal(ready.status!.observedGeneration, 1);
    assert.deepEqual((await m2.apps.listNamespacedDeployment({ namespace: 'default' })).items, [], 'member2 does not see member1 objects');

    // Take member2 offline: its API answers 503, member1 keeps serving; then bring it back.
    const ca = await readFile(join(dir, 'pki', 'ca.crt'));
    const cert = await readFile(join(dir, 'pki', 'admin.crt'));
    const key = await readFile(join(dir, 'pki', 'admin.key'));
    const call = (method: string, path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method, ca, cert, key, servername: 'localhost' }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(body);
      });
    assert.equal(await call('PUT', '/members/member2/online', 'false'), 204);
    assert.equal(await call('GET', '/clusters/member2/readyz'), 503);
    assert.equal(await call('GET', '/clusters/member1/readyz'), 200);
    assert.equal(await call('PUT', '/members/member2/online', 'true'), 204);
    assert.equal(await call('GET', '/clusters/member2/readyz'), 200);
    assert.equal(await call('PUT', '/members/nope/online', 'true'), 404);
    assert.equal(await call('GET', '/members/workload-changes'), 404, 'recorded only with --record-workload-changes');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
});

test('members record the workload changes their simulators see, for benchmarks', async () => {
  const dir = await tempDir();
  const port = await freePort();
  const proc = spawn(process.execPath, [CLI, 'members', '--count', '2', '--data-dir', dir, '--port', String(port), '--log-level', 'warn', '--record-workload-changes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  try {
    const kubeconfig = join(dir, 'member2', 'admin.kubeconfig');
    await until('kubeconfigs', async () => (out.includes('member2\t') && existsSync(kubeconfig) ? true : undefined));
    const m2 = client(kubeconfig);
    const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(dir, 'pki', f))));
    const get = (path: string, credentials = true) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, ca, ...(credentials ? { cert, key } : {}), servername: 'localhost' }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
    const changesSince = async (since: number) => {
      const r = await get(`/members/workload-changes?since=${since}`);
      assert.equal(r.status, 200);
      return r.body as { next: number; items: { member: string; kind: string; namespace: string; name: string; replicas?: number; deleted: boolean; at: number }[] };
    };
    const brief = (items: { member: string; kind: string; namespace: string; name: string; replicas?: number; deleted: boolean }[]) =>
      items.map((c) => `${c.member} ${c.kind} ${c.namespace}/${c.name} ${c.replicas} ${c.deleted ? 'deleted' : 'held'}`);
    const start = await changesSince(0);

    const before = Date.now();
    await m2.apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    const created = await until('the create recorded', async () => {
      const c = await changesSince(start.next);
      return c.items.length ? c : undefined;
    });
    assert.deepEqual(brief(created.items), ['member2 Deployment default/web 2 held']);
    assert.ok(created.items[0].at >= before && created.items[0].at <= Date.now(), 'when the simulator saw it');

    // Status writes are not changes of what the member holds; a new spec and the deletion are.
    await until('web ready', async () => ((await m2.apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status?.readyReplicas === 2 ? true : undefined));
    await m2.apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await m2.apps.deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
    const later = await until('the scale and the deletion recorded', async () => {
      const c = await changesSince(created.next);
      return c.items.length >= 2 ? c : undefined;
    });
    assert.deepEqual(brief(later.items), ['member2 Deployment default/web 3 held', 'member2 Deployment default/web 3 deleted']);
    assert.deepEqual((await changesSince(later.next)).items, []);

    const bad = await get('/members/workload-changes?since=-1');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    assert.equal((await get('/members/workload-changes', false)).status, 401);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
});

// Member clusters end to end: a real apiserver, a controller-manager process and a `flotilla members` process with
// three simulated members, joined and unjoined with the real CLI. Covers health (Ready, taints, an outage and its
// recovery), status collection, execution spaces and namespace sync, observed through kubectl and through each
// member's own kubeconfig.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../openapi/karmada/types.js';
import { APIServerProcess, CLI, freePort, kubectl, KUBECTL_DEFAULT, tempDir } from './harness.js';

const MEMBERS = ['member1', 'member2', 'member3'];
const skip = existsSync(KUBECTL_DEFAULT) ? false : 'kubectl not found at /usr/bin/kubectl: cluster tests skipped';

let server: APIServerProcess;
let membersDir: string;
let membersPort: number;
const processes: { name: string; proc: ChildProcess; output: string }[] = [];
let controlPlane: { core: k8s.CoreV1Api; custom: k8s.CustomObjectsApi };
const memberCore = new Map<string, k8s.CoreV1Api>();

function start(name: string, args: string[]): { proc: ChildProcess; output: () => string } {
  const entry = { name, proc: spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }), output: '' };
  entry.proc.stdout!.on('data', (d) => (entry.output += d));
  entry.proc.stderr!.on('data', (d) => (entry.output += d));
  processes.push(entry);
  return { proc: entry.proc, output: () => entry.output };
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

/** Polls fn until it returns a value; the deadline only keeps a broken build from hanging the suite. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const logs = processes.map((p) => `--- ${p.name}\n${p.output.slice(-4000)}`).join('\n');
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cluster(name: string): Promise<Cluster | undefined> {
  try {
    return (await controlPlane.custom.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name })) as Cluster;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const ready = (c: Cluster | undefined) => c?.status?.conditions?.find((x) => x.type === 'Ready');
const taintKeys = (c: Cluster | undefined) => (c?.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`);

async function namespaceIn(core: k8s.CoreV1Api, name: string): Promise<k8s.V1Namespace | undefined> {
  try {
    return await core.readNamespace({ name });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** PUT /members/NAME/online on the members process, with its admin credentials. */
async function setOnline(member: string, online: boolean): Promise<number> {
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(membersDir, 'pki', f))));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: membersPort, path: `/members/${member}/online`, method: 'PUT', ca, cert, key, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(String(online));
  });
}

before(async () => {
  if (skip) return;
  server = await APIServerProcess.start();
  membersDir = await tempDir('flotilla-members-');
  membersPort = await freePort();
  start('members', ['members', '--count', String(MEMBERS.length), '--data-dir', membersDir, '--port', String(membersPort), '--log-level', 'warn']);
  start('controller-manager', [
    'controller-manager',
    '--kubeconfig', server.kubeconfig,
    '--port', '0',
    '--leader-elect=false',
    '--log-level', 'warn',
    '--cluster-status-update-frequency', '1s',
    '--cluster-failure-threshold', '2s',
    '--cluster-success-threshold', '2s',
    '--cluster-monitor-grace-period', '3s',
  ]);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  controlPlane = { core: kc.makeApiClient(k8s.CoreV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
  for (const m of MEMBERS) {
    const file = join(membersDir, m, 'admin.kubeconfig');
    await until(`${m}'s kubeconfig`, async () => (existsSync(file) ? true : undefined));
    const mkc = new k8s.KubeConfig();
    mkc.loadFromFile(file);
    memberCore.set(m, mkc.makeApiClient(k8s.CoreV1Api));
  }
});

after(async () => {
  for (const { proc } of processes) {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  }
  await server?.destroy();
  if (membersDir) await rm(membersDir, { recursive: true, force: true });
});

test('joined members become Ready with their version, capacity and execution space', { skip }, async () => {
  for (const m of MEMBERS) {
    const r = await cli(['join', m, '--kubeconfig', server.kubeconfig, '--cluster-kubeconfig', join(membersDir, m, 'admin.kubeconfig')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`cluster\\(${m}\\) is joined successfully`));
  }
  const table = await until('kubectl get clusters to show every member Ready', async () => {
    const r = await kubectl(KUBECTL_DEFAULT, server.kubeconfig, ['get', 'clusters']);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    return rows.length === MEMBERS.length && rows.every((row) => row[3] === 'True') ? r.stdout : undefined;
  });
  const [header, ...rows] = table.trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(header.slice(0, 4), ['NAME', 'VERSION', 'MODE', 'READY']);
  assert.deepEqual(
    rows.map((r) => r.slice(0, 4)),
    MEMBERS.map((m) => [m, 'v1.35.0-flotilla', 'Push', 'True']),
  );

  // The not-ready taint every new cluster starts with goes once the cluster controller sees it Ready.
  const c = await until('member1 to lose its not-ready taint', async () => {
    const got = await cluster('member1');
    return taintKeys(got).length === 0 ? got : undefined;
  });
  assert.ok(c.metadata!.finalizers.includes('karmada.io/cluster-controller'));
  assert.deepEqual(
    { ...ready(c), lastTransitionTime: undefined },
    { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: undefined },
  );
  assert.equal(c.status!.conditions!.find((x) => x.type === 'CompleteAPIEnablements')?.reason, 'Complete');
  // The simulated member has three nodes of 8 CPUs, 32Gi and 110 pods each.
  assert.deepEqual(c.status!.nodeSummary, { totalNum: 3, readyNum: 3 });
  assert.deepEqual(
    { cpu: c.status!.resourceSummary!.allocatable!.cpu, memory: c.status!.resourceSummary!.allocatable!.memory, pods: c.status!.resourceSummary!.allocatable!.pods },
    { cpu: '24', memory: '96Gi', pods: '330' },
  );
  const apps = c.status!.apiEnablements!.find((e) => e.groupVersion === 'apps/v1');
  assert.ok(apps?.resources?.some((r) => r.name === 'deployments' && r.kind === 'Deployment'), 'apiEnablements lists apps/v1 deployments');
  assert.ok(!apps!.resources!.some((r) => r.name.includes('/')), 'subresources are left out');
  for (const m of MEMBERS) assert.ok(await namespaceIn(controlPlane.core, `karmada-es-${m}`), `execution space of ${m}`);

  // Status is written only when it changes: a few probes later, the Cluster is untouched.
  const rv = c.metadata!.resourceVersion;
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal((await cluster('member1'))!.metadata!.resourceVersion, rv, 'steady probes write nothing');
});

test('an outage makes a member not Ready and tainted, and its recovery undoes both', { skip }, async () => {
  assert.equal(await setOnline('member2', false), 204);
  // Due after the failure threshold (2 s) and one probe (1 s), inside grace period + probe (4 s); the bound is wider
  // for a loaded machine.
  const down = await until(
    'member2 to be not Ready and tainted',
    async () => {
      const c = await cluster('member2');
      return ready(c)?.status === 'False' && taintKeys(c).includes('cluster.karmada.io/not-ready:NoSchedule') ? c : undefined;
    },
    20_000,
  );
  assert.deepEqual([ready(down)!.reason, ready(down)!.message], ['ClusterNotReachable', 'cluster is not reachable']);
  assert.ok(down.spec.taints!.find((t) => t.key === 'cluster.karmada.io/not-ready')!.timeAdded, 'the taint records when it was added');
  assert.equal(ready(await cluster('member1'))?.status, 'True', 'the other members stay Ready');

  assert.equal(await setOnline('member2', true), 204);
  const up = await until('member2 to be Ready and untainted', async () => {
    const c = await cluster('member2');
    return ready(c)?.status === 'True' && taintKeys(c).length === 0 ? c : undefined;
  });
  assert.equal(ready(up)!.reason, 'ClusterReady');
});

test('namespaces created on the control plane appear in every member, and go with it', { skip }, async () => {
  await controlPlane.core.createNamespace({ body: { metadata: { name: 'skipped-e2e', labels: { 'namespace.karmada.io/skip-auto-propagation': 'true' } } } });
  await controlPlane.core.createNamespace({ body: { metadata: { name: 'synced-e2e', labels: { team: 'a' } } } });
  for (const m of MEMBERS) {
    const ns = await until(`synced-e2e in ${m}`, async () => namespaceIn(memberCore.get(m)!, 'synced-e2e'));
    assert.equal(ns.metadata!.labels!.team, 'a');
    assert.equal(ns.metadata!.labels!['karmada.io/managed'], 'true');
  }
  await controlPlane.core.deleteNamespace({ name: 'synced-e2e' });
  for (const m of MEMBERS) await until(`synced-e2e to leave ${m}`, async () => ((await namespaceIn(memberCore.get(m)!, 'synced-e2e')) ? undefined : true));
  // Every pass that propagated or removed synced-e2e also saw skipped-e2e.
  for (const m of MEMBERS) assert.equal(await namespaceIn(memberCore.get(m)!, 'skipped-e2e'), undefined, `skipped-e2e is not in ${m}`);
  for (const m of MEMBERS) assert.equal(await namespaceIn(memberCore.get(m)!, 'karmada-es-member1'), undefined, `execution spaces stay on the control plane (${m})`);
});

test('unjoin removes the Cluster, its Secret and its execution space', { skip }, async () => {
  const r = await cli(['unjoin', 'member3', '--kubeconfig', server.kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cluster\(member3\) is unjoined successfully/);
  assert.equal(await cluster('member3'), undefined);
  await assert.rejects(controlPlane.core.readNamespacedSecret({ name: 'member3', namespace: 'karmada-cluster' }), (err: { code?: number }) => err.code === 404);
  assert.equal(await namespaceIn(controlPlane.core, 'karmada-es-member3'), undefined, 'the execution space is gone before the Cluster');
  assert.equal(ready(await cluster('member1'))?.status, 'True');
});

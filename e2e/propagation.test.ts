// Propagation end to end with real processes: apiserver, scheduler, controller-manager and two simulated members.
// Karmada's nginx sample (a Deployment with 2 replicas and a PropagationPolicy dividing it 1:1 over member1 and
// member2) is applied unchanged with kubectl.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { joinCluster } from '../cli/join.js';
import { APIServerProcess, CLI, freePort, kubectl, KUBECTL_DEFAULT, tempDir } from './harness.js';
import { NGINX_DEPLOYMENT, NGINX_POLICY } from './samples.js';

const skip = existsSync(KUBECTL_DEFAULT) ? false : 'kubectl not found at /usr/bin/kubectl: kubectl tests skipped';
let server: APIServerProcess;
let membersDir: string;
const procs: ChildProcess[] = [];

function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(p);
  return p;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const k = (...args: string[]) => kubectl(KUBECTL_DEFAULT, server.kubeconfig, args);
const member = (name: string, ...args: string[]) => kubectl(KUBECTL_DEFAULT, join(membersDir, name, 'admin.kubeconfig'), args);
const memberReplicas = async (name: string) => {
  const r = await member(name, 'get', 'deploy', 'nginx', '-o', 'jsonpath={.spec.replicas}');
  return r.code === 0 ? Number(r.stdout) : undefined;
};

before(async () => {
  if (skip) return;
  server = await APIServerProcess.start();
  membersDir = await tempDir();
  const membersPort = await freePort();
  start(['members', '--count', '2', '--data-dir', membersDir, '--port', String(membersPort), '--log-level', 'warn', '--ready-delay', '100ms']);
  const kubeconfig = ['--kubeconfig', server.kubeconfig, '--port', '0', '--log-level', 'warn'];
  start(['scheduler', ...kubeconfig]);
  start(['controller-manager', ...kubeconfig, '--cluster-status-update-frequency', '1s']);
  for (const name of ['member1', 'member2']) {
    const file = join(membersDir, name, 'admin.kubeconfig');
    await until(`${name} kubeconfig`, async () => (existsSync(file) ? true : undefined));
    await joinCluster({ name, clusterKubeconfig: file, kubeconfig: server.kubeconfig });
  }
  for (const name of ['member1', 'member2']) {
    const r = await kubectl(KUBECTL_DEFAULT, server.kubeconfig, ['wait', '--for=condition=Ready', '--timeout=60s', `cluster/${name}`]);
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
  await server?.destroy();
  if (membersDir) await rm(membersDir, { recursive: true, force: true });
});

const NGINX = `${NGINX_DEPLOYMENT}---\n${NGINX_POLICY}`;

test('the Karmada nginx sample runs one replica in each member', { skip }, async () => {
  const r = await kubectl(KUBECTL_DEFAULT, server.kubeconfig, ['apply', '-f', '-'], { input: NGINX });
  assert.equal(r.code, 0, r.stderr);
  await until('nginx in both members', async () => ((await memberReplicas('member1')) === 1 && (await memberReplicas('member2')) === 1 ? true : undefined));
  const rb = JSON.parse((await k('get', 'rb', 'nginx-deployment', '-o', 'json')).stdout);
  assert.deepEqual(rb.spec.clusters.map((c: any) => `${c.name}=${c.replicas}`).sort(), ['member1=1', 'member2=1']);
  // kubectl get rb -o wide: whether it is scheduled and applied (Karmada's columns), and where, with how many replicas.
  const wide = await until('the binding scheduled and fully applied', async () => {
    const out = (await k('get', 'rb', 'nginx-deployment', '-o', 'wide')).stdout;
    return /\bTrue\s+True\b/.test(out) ? out : undefined;
  });
  assert.match(wide, /^NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE\s+REPLICAS\s+CLUSTERS\n/);
  const clusters = wide.split('\n')[1].trim().split(/\s+/).slice(-2);
  assert.equal(clusters[0], '2');
  assert.deepEqual(JSON.parse(clusters[1]), rb.spec.clusters);
  // kubectl describe of the template shows the controllers' events.
  const described = await until('the scheduling event', async () => {
    const d = await k('describe', 'deploy', 'nginx');
    return /ScheduleBindingSucceed/.test(d.stdout) ? d.stdout : undefined;
  });
  assert.match(described, /Binding has been scheduled successfully\. Result: \{member1:1, member2:1\}|Result: \{member2:1, member1:1\}/);
});

test("the fields each component writes are managed under its name, as Karmada's are", { skip }, async () => {
  const managers = (obj: any): Set<string> => new Set((obj.metadata.managedFields ?? []).map((m: any) => m.manager));
  const managerOf = (obj: any, field: string): string[] =>
    (obj.metadata.managedFields ?? []).filter((m: any) => JSON.stringify(m.fieldsV1).includes(`"f:${field}"`)).map((m: any) => m.manager);
  const rb = JSON.parse((await k('get', 'rb', 'nginx-deployment', '-o', 'json', '--show-managed-fields')).stdout);
  assert.deepEqual(managerOf(rb, 'clusters'), ['flotilla-scheduler']);
  assert.ok(managerOf(rb, 'resource').includes('flotilla-controller-manager'), JSON.stringify(rb.metadata.managedFields));
  const work = JSON.parse((await k('get', 'work', '-n', 'karmada-es-member1', '-o', 'json', '--show-managed-fields')).stdout).items[0];
  assert.deepEqual([...managers(work)], ['flotilla-controller-manager']);
  // Writes to members go out under the same name.
  const propagated = JSON.parse((await member('member1', 'get', 'deploy', 'nginx', '-o', 'json', '--show-managed-fields')).stdout);
  assert.ok(managers(propagated).has('flotilla-controller-manager'), JSON.stringify(propagated.metadata.managedFields));
  const template = await until('the template status reflected', async () => {
    const d = JSON.parse((await k('get', 'deploy', 'nginx', '-o', 'json', '--show-managed-fields')).stdout);
    return managers(d).has('flotilla-controller-manager') ? d : undefined;
  });
  for (const obj of [rb, work, propagated, template]) {
    for (const nameless of ['unknown', 'node-fetch']) assert.ok(!managers(obj).has(nameless), `${obj.kind}: ${JSON.stringify(obj.metadata.managedFields)}`);
  }
});

test('the control plane shows fleet-wide READY and rollout status completes', { skip }, async () => {
  await until('READY 2/2 on the control plane', async () => (/^nginx\s+2\/2\s/m.test((await k('get', 'deploy', 'nginx')).stdout) ? true : undefined));
  const rollout = await k('rollout', 'status', 'deploy/nginx', '--timeout=60s');
  assert.equal(rollout.code, 0, rollout.stderr);
});

test('scaling the template re-divides the replicas', { skip }, async () => {
  assert.equal((await k('scale', 'deploy', 'nginx', '--replicas=4')).code, 0);
  await until('2 and 2', async () => ((await memberReplicas('member1')) === 2 && (await memberReplicas('member2')) === 2 ? true : undefined));
});

test('deleting the template removes it from every member', { skip }, async () => {
  assert.equal((await k('delete', 'deploy', 'nginx')).code, 0);
  await until('nginx gone from both members', async () => ((await memberReplicas('member1')) === undefined && (await memberReplicas('member2')) === undefined ? true : undefined));
});

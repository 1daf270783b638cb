// LeaderElector against a real apiserver process: one leader among racing candidates, release on stop, giving up a
// Lease someone else took, and waiting out an unreleased Lease before taking it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { APIServerProcess } from '../../e2e/harness.js';
import { LeaderElector, type LeaderElectionConfig } from './leaderelection.js';

let server: APIServerProcess;
let api: CoordinationV1Api;
const namespace = 'kube-system';
const logger = pino({ level: 'silent' });

before(async () => {
  server = await APIServerProcess.start();
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  api = kc.makeApiClient(CoordinationV1Api);
});
// Candidates still running when a test fails would keep the process alive.
const running: { stop: AbortController; done: Promise<boolean> }[] = [];
after(async () => {
  for (const c of running) c.stop.abort();
  await Promise.all(running.map((c) => c.done));
  await server.destroy();
});

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function lease(name: string): Promise<V1Lease> {
  return api.readNamespacedLease({ name, namespace });
}

/** A candidate with its event log and the controls to stop it. */
function candidate(name: string, identity: string, overrides: Partial<LeaderElectionConfig> = {}) {
  const events: string[] = [];
  const stop = new AbortController();
  let leadSignal: AbortSignal | undefined;
  const elector = new LeaderElector(api, {
    namespace,
    name,
    identity,
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
    logger,
    callbacks: {
      onStartedLeading: async (signal) => {
        events.push('started');
        leadSignal = signal;
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        events.push('work stopped');
      },
      onStoppedLeading: () => events.push('stopped'),
    },
    ...overrides,
  });
  const done = elector.run(stop.signal);
  running.push({ stop, done });
  return { elector, events, stop, done, leading: () => events.includes('started'), leadSignal: () => leadSignal };
}

test('the configuration must let a leader give up before its Lease expires for the others', () => {
  const base = { namespace, name: 'x', identity: 'a', logger, callbacks: { onStartedLeading() {}, onStoppedLeading() {} } };
  assert.throws(() => new LeaderElector(api, { ...base, leaseDurationMs: 2000, renewDeadlineMs: 2000 }), /greater than the renew deadline/);
  assert.throws(() => new LeaderElector(api, { ...base, leaseDurationMs: 3000, renewDeadlineMs: 1000, retryPeriodMs: 1000 }), /1.2/);
  assert.throws(() => new LeaderElector(api, { ...base, identity: '' }), /identity/);
});

test('of two candidates exactly one leads; stopping it releases the Lease to the other', async () => {
  const a = candidate('race', 'a');
  const b = candidate('race', 'b');
  await until('a leader', () => a.leading() || b.leading());
  const [leader, standby] = a.leading() ? [a, b] : [b, a];
  const leaderId = leader === a ? 'a' : 'b';
  // Several renewals later, still exactly one leader, and the Lease names it.
  const renewed = (await lease('race')).metadata!.resourceVersion;
  await until('renewals', async () => (await lease('race')).metadata!.resourceVersion !== renewed);
  assert.equal(standby.leading(), false);
  assert.equal(leader.elector.isLeader(), true);
  await until('the standby to observe the leader', () => standby.elector.getLeader() === leaderId);
  const held = await lease('race');
  assert.equal(held.spec!.holderIdentity, leaderId);
  assert.equal(held.spec!.leaseDurationSeconds, 2);
  const transitions = held.spec!.leaseTransitions!;

  leader.stop.abort();
  assert.equal(await leader.done, true, 'run reports a requested stop');
  // The work was told to stop and finished before the release and onStoppedLeading.
  assert.deepEqual(leader.events, ['started', 'work stopped', 'stopped']);
  assert.equal(leader.leadSignal()!.aborted, true);

  await until('the standby to take over', () => standby.leading());
  const taken = await lease('race');
  assert.equal(taken.spec!.holderIdentity, leaderId === 'a' ? 'b' : 'a');
  assert.equal(taken.spec!.leaseTransitions, transitions + 1);
  standby.stop.abort();
  await standby.done;
  assert.equal((await lease('race')).spec!.holderIdentity, '', 'released on stop');
});

test('a leader whose Lease is taken by someone else gives up leadership', async () => {
  const a = candidate('stolen', 'a');
  await until('a to lead', () => a.leading());
  // Overwrite the Lease as another holder would; a renewal by a in between makes this a conflict, so retry.
  await until('the Lease to be stolen', async () => {
    const held = await lease('stolen');
    const now = new V1MicroTime(Date.now());
    const spec = { ...held.spec, holderIdentity: 'intruder', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now };
    return api.replaceNamespacedLease({ name: 'stolen', namespace, body: { ...held, spec } }).then(
      () => true,
      () => false,
    );
  });
  assert.equal(await a.done, false, 'run reports lost leadership');
  assert.deepEqual(a.events, ['started', 'work stopped', 'stopped']);
  const after = await lease('stolen');
  assert.equal(after.spec!.holderIdentity, 'intruder', 'the loser neither renewed nor released the new holder’s Lease');
});

test('an unreleased Lease of a dead holder is taken only after its duration', async () => {
  const now = new V1MicroTime(Date.now());
  await api.createNamespacedLease({
    namespace,
    body: { metadata: { name: 'orphan', namespace }, spec: { holderIdentity: 'dead', leaseDurationSeconds: 2, acquireTime: now, renewTime: now, leaseTransitions: 4 } },
  });
  const started = Date.now();
  const a = candidate('orphan', 'a');
  await until('a to take the orphaned Lease', () => a.leading());
  // The candidate first sees the Lease after it started, and must see it unchanged for leaseDurationSeconds.
  assert.ok(Date.now() - started >= 2000, `took over after ${Date.now() - started} ms`);
  const taken = await lease('orphan');
  assert.equal(taken.spec!.holderIdentity, 'a');
  assert.equal(taken.spec!.leaseTransitions, 5);
  a.stop.abort();
  await a.done;
});

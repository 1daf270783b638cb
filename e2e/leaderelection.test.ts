// Leader election between real controller-manager processes on a real apiserver: exactly one leads, a standby takes
// over from a killed leader once the Lease expires, a leader stopped gracefully hands over at once by releasing the
// Lease, and a leader cut off from the apiserver gives up and exits.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { APIServerProcess, CLI, freePort } from './harness.js';

let server: APIServerProcess;
let leases: CoordinationV1Api;
const started: ControllerManager[] = [];

before(async () => {
  server = await APIServerProcess.start();
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  leases = kc.makeApiClient(CoordinationV1Api);
});
after(async () => {
  for (const cm of started) await cm.stop('SIGKILL');
  await server.destroy();
});

class ControllerManager {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
  ) {
    proc.stdout!.on('data', (d) => (this.output += d));
    proc.stderr!.on('data', (d) => (this.output += d));
    // 'close' rather than 'exit': by then all of the output has been read.
    this.exited = new Promise((resolve) => proc.once('close', (code) => resolve(code)));
  }

  static async start(lease: string, timings: string[]): Promise<ControllerManager> {
    const port = await freePort();
    const args = [CLI, 'controller-manager', '--kubeconfig', server.kubeconfig, '--port', String(port), '--lease-name', lease, '--log-level', 'debug', ...timings];
    const cm = new ControllerManager(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }), port);
    started.push(cm);
    return cm;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The identity is hostname_pid_random: this process holds the Lease if the pid part is its own. */
  holds(lease: V1Lease | undefined): boolean {
    return lease?.spec?.holderIdentity?.split('_').at(-2) === String(this.pid);
  }

  async http(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port: this.port, path, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      }).on('error', reject);
    });
  }

  /** leader_election_master_status for the lease, or undefined while the process does not serve it. */
  async leaderGauge(lease: string): Promise<number | undefined> {
    const r = await this.http('/metrics').catch(() => undefined);
    const m = r && new RegExp(`^leader_election_master_status\\{name="${lease}"\\} (\\d+)$`, 'm').exec(r.body);
    return m ? Number(m[1]) : undefined;
  }

  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

async function readLease(name: string): Promise<V1Lease | undefined> {
  return leases.readNamespacedLease({ name, namespace: 'kube-system' }).catch(() => undefined);
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number, processes: ControllerManager[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; output:\n${processes.map((p) => `--- pid ${p.pid}\n${p.output}`).join('\n')}`);
    await sleep(100);
  }
}

/** Waits until exactly one of cms holds lease, with gauge 1, the others 0, all ready; returns [leader, others]. */
async function oneLeader(lease: string, cms: ControllerManager[]): Promise<[ControllerManager, ControllerManager[]]> {
  let leader: ControllerManager | undefined;
  await until(
    'exactly one leader',
    async () => {
      const held = await readLease(lease);
      const gauges = await Promise.all(cms.map((cm) => cm.leaderGauge(lease)));
      const ready = await Promise.all(cms.map((cm) => cm.http('/readyz').then((r) => r.status === 200, () => false)));
      leader = cms.find((cm) => cm.holds(held));
      return leader !== undefined && ready.every(Boolean) && cms.every((cm, i) => gauges[i] === (cm === leader ? 1 : 0));
    },
    30_000,
    cms,
  );
  return [leader!, cms.filter((cm) => cm !== leader)];
}

const SHORT = ['--lease-duration', '3s', '--renew-deadline', '2s', '--retry-period', '500ms'];

test('one of two controller-managers leads; when it is killed the other takes over after the Lease expires', async () => {
  const cms = [await ControllerManager.start('cm-kill', SHORT), await ControllerManager.start('cm-kill', SHORT)];
  const [leader, [standby]] = await oneLeader('cm-kill', cms);
  const transitions = (await readLease('cm-kill'))!.spec!.leaseTransitions ?? 0;

  await leader.stop('SIGKILL');
  // The standby waits out the 3 s Lease it saw last renewed; the deadline only bounds a hang.
  await until('the standby to take over', async () => standby.holds(await readLease('cm-kill')) && (await standby.leaderGauge('cm-kill')) === 1, 30_000, cms);
  assert.equal((await readLease('cm-kill'))!.spec!.leaseTransitions, transitions + 1);
  assert.equal(await standby.stop('SIGTERM'), 0);
});

test('a leader stopped gracefully releases the Lease, and the standby takes over before it would have expired', async () => {
  // A 60 s Lease: the standby can only take over within the deadline below because the leader released it.
  const long = ['--lease-duration', '60s', '--renew-deadline', '20s', '--retry-period', '500ms'];
  const cms = [await ControllerManager.start('cm-term', long), await ControllerManager.start('cm-term', long)];
  const [leader, [standby]] = await oneLeader('cm-term', cms);

  assert.equal(await leader.stop('SIGTERM'), 0);
  assert.match(leader.output, /released leader lease/);
  await until('the standby to take over', async () => standby.holds(await readLease('cm-term')) && (await standby.leaderGauge('cm-term')) === 1, 30_000, cms);
  assert.equal(await standby.stop('SIGTERM'), 0);
  assert.equal((await readLease('cm-term'))!.spec!.holderIdentity, '', 'released again by the second leader');
});

test('a leader that cannot renew within the renew deadline gives up and exits with an error', async () => {
  const cm = await ControllerManager.start('cm-lost', SHORT);
  await oneLeader('cm-lost', [cm]);
  // Freeze the apiserver: renewals hang until the 2 s renew deadline cuts them off.
  server.proc!.kill('SIGSTOP');
  try {
    await until('the leader to exit', async () => cm.proc.exitCode !== null, 30_000, [cm]);
    assert.equal(await cm.exited, 1);
  } finally {
    server.proc!.kill('SIGCONT');
  }
  assert.match(cm.output, /leader election lost/);
});

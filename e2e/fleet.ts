// A whole fleet for end-to-end tests, started as real processes the way e2e/propagation.test.ts does it: an
// apiserver, `flotilla members` (N simulated member clusters in one process), the scheduler and the
// controller-manager; the members are joined with joinCluster (region, zones, provider, labels per member) and the
// fleet is handed over once every Cluster is Ready and reports its resources. One fleet per test file: start it in
// `before`, stop it in `after`.
//
//   const fleet = await startFleet({ members: 3, membersArgs: ['--regions', 'a,b'], joins: [{ name: 'member1', region: 'a' }] });
//   await fleet.apply(yaml);
//   await fleet.until('3 replicas in member1', async () => ((await fleet.memberReplicas('member1', 'deploy', 'nginx')) === 3 ? true : undefined));
//   await fleet.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { joinCluster } from '../cli/join.js';
import { APIServerProcess, CLI, freePort, kubectl, KUBECTL_DEFAULT, tempDir, type KubectlResult } from './harness.js';

/** Whether the fleet can run here: it drives kubectl. Pass as `{ skip }` to tests. */
export const fleetSkip: string | false = existsSync(KUBECTL_DEFAULT) ? false : `kubectl not found at ${KUBECTL_DEFAULT}: fleet tests skipped`;

/** How one member is joined (see JoinOptions in cli/join.ts). */
export interface FleetJoin {
  name: string;
  region?: string;
  zones?: string[];
  provider?: string;
  labels?: Record<string, string>;
}

export interface FleetOptions {
  /** Simulated members, named member1..memberN (default 2). */
  members?: number;
  /** Extra `flotilla members` flags: --regions, --zones, --capacity, --labels, --nodes, --ready-delay (default 100ms). */
  membersArgs?: string[];
  /**
   * How the members are joined. Members not listed are joined by name alone; `joins: []` with members > 0 joins
   * them all that way. Names must be member1..memberN.
   */
  joins?: FleetJoin[];
  /** Extra flags for the scheduler and the controller-manager processes. */
  schedulerArgs?: string[];
  controllerManagerArgs?: string[];
}

export interface Fleet {
  server: APIServerProcess;
  /** The members' data directory: DIR/memberK/admin.kubeconfig. */
  membersDir: string;
  /** The joined member names, in order. */
  memberNames: string[];
  /** kubectl against the control plane. */
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** kubectl against a member, through its own kubeconfig. */
  member(name: string, ...args: string[]): Promise<KubectlResult>;
  memberKubeconfig(name: string): string;
  /** `kubectl apply -f -` of a manifest on the control plane; throws with kubectl's stderr when it fails. */
  apply(manifest: string): Promise<void>;
  /** `kubectl get ... -o json` on the control plane (or a member), parsed; undefined when kubectl fails (not found). */
  getJSON(args: string[], member?: string): Promise<any | undefined>;
  /** spec.replicas of a workload in a member, undefined when it is not there. */
  memberReplicas(member: string, resource: string, name: string, namespace?: string): Promise<number | undefined>;
  /** Polls fn (errors count as "not yet") until it returns a value; the deadline only stops a broken build hanging. */
  until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** The processes' recent output (the apiserver's is in server.output). */
  logs(): string;
  /** Stops every process and removes the data directories. Safe to call twice. */
  stop(): Promise<void>;
}

const LOG_TAIL = 64 * 1024;

/** Thrown from an until() probe to stop waiting at once (a process the wait depends on has died). */
export class FatalError extends Error {}

export interface UntilOptions {
  timeoutMs?: number;
  /** Default 250ms: the fleet's probes run kubectl. */
  intervalMs?: number;
  /** Appended to the timeout's message, such as the processes' recent output. */
  detail?: () => string;
}

/** Polls fn (errors count as "not yet", bar FatalError) until it returns a value, or throws after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, { timeoutMs = 60_000, intervalMs = 250, detail = () => '' }: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof FatalError) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}${detail()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const count = opts.members ?? 2;
  const memberNames = Array.from({ length: count }, (_, k) => `member${k + 1}`);
  const joins = new Map((opts.joins ?? []).map((j) => [j.name, j]));
  for (const name of joins.keys()) if (!memberNames.includes(name)) throw new Error(`startFleet: no member named ${name} (members are member1..member${count})`);

  const procs: ChildProcess[] = [];
  let logs = '';
  let server: APIServerProcess | undefined;
  let membersDir: string | undefined;
  let stopped = false;

  const start = (args: string[]) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (logs = (logs + d).slice(-LOG_TAIL));
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    procs.push(p);
    return p;
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    await server?.destroy();
    if (membersDir) await rm(membersDir, { recursive: true, force: true });
  };

  try {
    // The members do not need the control plane: they start (and make their certificates) meanwhile.
    membersDir = await tempDir('flotilla-fleet-');
    const dir = membersDir;
    const membersPort = await freePort();
    const membersArgs = opts.membersArgs ?? [];
    start([
      'members',
      '--count',
      String(count),
      '--data-dir',
      dir,
      '--port',
      String(membersPort),
      '--log-level',
      'warn',
      ...(membersArgs.includes('--ready-delay') ? [] : ['--ready-delay', '100ms']),
      ...membersArgs,
    ]);
    server = await APIServerProcess.start();
    const kubeconfig = server.kubeconfig;
    const common = ['--kubeconfig', kubeconfig, '--port', '0', '--log-level', 'warn'];
    start(['scheduler', ...common, ...(opts.schedulerArgs ?? [])]);
    start(['controller-manager', ...common, '--cluster-status-update-frequency', '1s', ...(opts.controllerManagerArgs ?? [])]);

    const memberKubeconfig = (name: string) => join(dir, name, 'admin.kubeconfig');
    const k = (...args: string[]) => kubectl(KUBECTL_DEFAULT, kubeconfig, args);
    const member = (name: string, ...args: string[]) => kubectl(KUBECTL_DEFAULT, memberKubeconfig(name), args);
    const detail = () => `\n--- processes ---\n${logs.slice(-4000)}`;
    const poll = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number) => until(what, fn, { timeoutMs, detail });
    // While starting, a process that exits (a bad flag, a port taken) ends the wait at once.
    const startup = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number) =>
      poll(
        what,
        async () => {
          const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
          if (dead) throw new FatalError(`flotilla ${dead.spawnargs[2]} exited (${dead.exitCode ?? dead.signalCode})${detail()}`);
          return fn();
        },
        timeoutMs,
      );
    const getJSON = async (args: string[], name?: string) => {
      const r = name ? await member(name, 'get', ...args, '-o', 'json') : await k('get', ...args, '-o', 'json');
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    };

    for (const name of memberNames) {
      const file = memberKubeconfig(name);
      await startup(`${name} kubeconfig`, async () => (existsSync(file) ? true : undefined));
      const j = joins.get(name);
      await joinCluster({ name, clusterKubeconfig: file, kubeconfig, region: j?.region, zones: j?.zones, provider: j?.provider, labels: j?.labels });
    }
    // Ready, and the resource summary the replica estimator reads: scheduling by available replicas before it is
    // reported would see no room at all.
    await startup(
      'every Cluster Ready with its resources',
      async () => {
        const list = await getJSON(['clusters']);
        const ready = (list?.items ?? []).filter(
          (c: any) => c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') && c.status?.resourceSummary?.allocatable,
        );
        return ready.length === count ? true : undefined;
      },
      90_000,
    );

    return {
      server,
      membersDir: dir,
      memberNames,
      kubectl: k,
      member,
      memberKubeconfig,
      async apply(manifest) {
        const r = await kubectl(KUBECTL_DEFAULT, kubeconfig, ['apply', '-f', '-'], { input: manifest });
        if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
      },
      getJSON,
      async memberReplicas(name, resource, workload, namespace = 'default') {
        const r = await member(name, 'get', resource, workload, '-n', namespace, '-o', 'jsonpath={.spec.replicas}');
        return r.code === 0 ? Number(r.stdout) : undefined;
      },
      until: poll,
      logs: () => logs,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

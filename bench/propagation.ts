// `node dist/bench/propagation.js [--members 100] [--templates 2000] [--rate 50] [--warmup N] [--burst N]
// [--burst-members 20] [--no-cold-start] [--cold-starts 1] [--phase-timeout 600] [--controller-manager-args="--concurrent-work-syncs=20 …"]`: the whole
// propagation pipeline under load, with real processes. Starts an apiserver, a scheduler, a controller-manager
// (with --controller-manager-args added to its flags) and one `flotilla members` process with --members members,
// joins them all (labelled in pairs, and the first --burst-members as burst targets), then runs four scenarios:
//
//  1. steady: once the scheduler and the controller-manager are idle after the joins (every workqueue_depth at 0 on
//     two scrapes in a row), --templates Deployments (4 replicas) created at --rate per second, each with its own
//     PropagationPolicy dividing it 3:1 by static weight over the two members of one pair (chosen by the pair
//     label). Latency of a template = from the 201 of its create to the moment the object, with its share of the
//     replicas, is in both target members (when each member's simulator saw its store commit it, as the members
//     process records with --record-workload-changes). Before it, --warmup
//     templates (by default 10 s worth at --rate) are propagated the same way in their own namespace and reported
//     on their own: the first seconds of processes that have just started, which V8 has not compiled for yet.
//  2. burst: --burst Deployments (2 replicas) created as fast as the apiserver accepts them (closed loop, 16 in
//     flight), with one ClusterPropagationPolicy duplicating each to the --burst-members burst members. Drain time =
//     first create to the last object seen in a member; Works/s = objects ÷ drain time; bindings/s = bindings ÷ the
//     time from the first create until a watch of the burst's ResourceBindings has seen each of them scheduled
//     (Scheduled True, schedulerObservedGeneration at its generation; see ScheduledBindings for why not the
//     scheduler's attempts); the apiserver's P99 for mutating verbs from its apiserver_request_duration_seconds
//     histogram (delta over the burst, interpolated as Prometheus' histogram_quantile does); each process's CPU
//     seconds from the first create until the controllers are idle, and per object (what bounds Works/s on C cores).
//  3. cold start: every control-plane process is stopped (SIGTERM) and started again on the same store; time until
//     the scheduler and the controller-manager are ready with every workqueue_depth at 0 on two scrapes in a row,
//     verified by listing every ResourceBinding (spec.clusters written for the current generation) and every Work
//     (Applied). With --cold-starts N it is measured N times, each time from a copy of the store as the burst left it
//     (the first is the one reported as cold_start_s): the spread of one cold start from run to run. The RSS peaks
//     and CPU seconds of the footprint then cover every repeat; each cold start also has its own CPU seconds by
//     process (cold_start_repeats[].cpu_s, from the restart until verified, the checks' requests included), which
//     move less from run to run than its time does.
//  4. footprint: VmRSS of every process sampled each second (peak and final; a restarted process counts by role, and
//     the peaks before and during the cold start are also given apart),
//     and the bytes on disk of the apiserver's and the members' data directories. The total is the control plane's
//     (apiserver, scheduler, controller-manager: the sum of their peaks); the members process stands in for the
//     member clusters and is reported on its own.
//
// Output: Markdown on stdout, progress on stderr, JSON in bench/results/propagation-latest.json. The same code runs
// at a small scale as a correctness smoke test (e2e/propagation-smoke.test.ts), which checks every object landed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { get, type ClientRequest } from 'node:http';
import { request, type Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { joinCluster } from '../cli/join.js';
import type { MemberWorkloadChange } from '../apiserver/member/host.js';
import { APIServerProcess, cliArgs, freePort, tempDir } from '../e2e/harness.js';
import { keepAliveAgent, loadCredentials, nearestRank, requestOptions, send, sleep, stats, type Credentials, type Response } from './client.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/propagation-latest.json', import.meta.url));

export const PAIR_LABEL = 'bench.flotilla.io/pair';
export const BURST_LABEL = 'bench.flotilla.io/burst';

// ---------------------------------------------------------------------------------------------------------------
// The machine's speed

/** About 3 KB of JSON, the size of the objects the processes under test parse, serialise and deflate all the time. */
const PROBE_TEXT = JSON.stringify({
  items: Array.from({ length: 40 }, (_, i) => ({ name: `container-${i}`, image: `registry.example.com/app:${i}`, ready: i % 2 === 0 })),
});

/**
 * The CPU milliseconds of a fixed piece of work: 100 rounds of parsing, serialising and deflating PROBE_TEXT.
 * Machines of the same kind have run this benchmark's code at speeds about two times apart, and on one of them this
 * work, once warm, took 5 to 12 ms from one half-second to the next while the machine was otherwise idle. Taken every
 * few seconds through a run, it says how fast the machine was while the run's figures were measured.
 */
function speedProbeMs(): number {
  const start = process.cpuUsage();
  for (let i = 0; i < 100; i++) deflateRawSync(JSON.stringify(JSON.parse(PROBE_TEXT)), { level: 1 });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** How often the speed probe runs: about 70 probes in a 40,000-Work run and 160 at full size, a second or two of CPU. */
const PROBE_INTERVAL_MS = 5_000;

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** A flotilla child process; its output is kept (the last 64 KiB) for diagnostics. */
export class Proc {
  output = '';
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;

  /** nodeArgs: options for node itself, before FLOTILLA_CHILD_NODE_ARGS. */
  constructor(readonly args: string[], nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, ...cliArgs(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.output += d;
      if (this.output.length > 128 * 1024) this.output = this.output.slice(-64 * 1024);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((r) => this.proc.once('exit', () => r()));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.proc.kill(signal);
    await this.exited;
  }

  /** Lines a pino logger wrote at error level or above. */
  errorLines(): string[] {
    return this.output.split('\n').filter((l) => /"level":(50|60)/.test(l));
  }
}

/** A pino error line summarized: controller, message, and the HTTP status or first line of the error. */
function errorKind(line: string): string {
  try {
    const j = JSON.parse(line);
    const err = j.err ?? {};
    const status = err.code ?? err.statusCode ?? /HTTP[- ]?(?:Code:)? ?(\d{3})/.exec(String(err.message))?.[1];
    const what = status ? `HTTP ${status}` : String(err.message ?? '').split('\n')[0].slice(0, 100);
    return `${j.controller ?? '-'} ${j.msg}: ${what}`.replace(/\bmember\d+\b/g, 'memberN');
  } catch {
    return line.slice(0, 100);
  }
}

const errorLineCount = (output: string) => output.split('\n').filter((l) => /"level":(50|60)/.test(l)).length;

export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(cond()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * When each binding of a namespace first has its schedule result for its current generation: the Scheduled condition
 * True with schedulerObservedGeneration at the binding's generation, from a watch of the namespace's
 * ResourceBindings. The scheduler's attempts metric cannot tell it: Karmada's scheduler schedules a duplicated
 * binding again on every change of its spec, its own write of the result included, so a burst of new duplicated
 * bindings counts two attempts per binding.
 */
export class ScheduledBindings {
  private readonly at = new Map<string, number>();
  private req?: ClientRequest;
  private stopped = false;
  /** Why the watch ended before stop(). */
  failure?: string;

  constructor(
    private readonly creds: Credentials,
    private readonly namespace: string,
  ) {}

  /** Starts watching after resourceVersion rv; resolves once the watch is answered. */
  start(rv: string): Promise<void> {
    const path = `/apis/work.karmada.io/v1alpha2/namespaces/${this.namespace}/resourcebindings?watch=true&resourceVersion=${rv}&timeoutSeconds=7200`;
    return new Promise((resolve, reject) => {
      const req = request(requestOptions(this.creds, false, 'GET', path), (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`watch ${path}: ${res.statusCode}`));
        }
        resolve();
        res.setEncoding('utf8');
        let partial = '';
        res.on('data', (chunk: string) => {
          const now = performance.now();
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          // Only a binding the scheduler has written can be scheduled: the other events are not parsed.
          for (const line of lines) if (line.includes('"schedulerObservedGeneration"')) this.observe(line, now);
        });
        res.on('end', () => this.fail('watch ended'));
        res.on('error', (err) => this.fail(String(err)));
      });
      req.on('error', (err) => {
        this.fail(String(err));
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private observe(line: string, now: number): void {
    let event: { object?: KObjectLike };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    const b = event.object;
    const name = b?.metadata?.name;
    if (!name || this.at.has(name)) return;
    const scheduled = b.status?.conditions?.some((c) => c.type === 'Scheduled' && c.status === 'True');
    if (scheduled && b.status?.schedulerObservedGeneration === b.metadata?.generation) this.at.set(name, now);
  }

  /** Bindings scheduled so far. */
  get count(): number {
    return this.at.size;
  }

  /** performance.now() when the last of them was first seen scheduled. */
  get lastAt(): number {
    return Math.max(...this.at.values());
  }

  private fail(why: string): void {
    if (!this.stopped) this.failure ??= why;
  }

  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }
}

interface KObjectLike {
  metadata?: { name?: string; generation?: number };
  status?: { schedulerObservedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** GET over plain HTTP (the scheduler's and controller-manager's health and metrics port). */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function rssKiB(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN), hwm: Number(/^VmHWM:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN) };
}

/** utime+stime of a process in seconds (USER_HZ 100). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await diskBytes(p);
    else if (e.isFile()) total += (await stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// Prometheus text

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

export function sumMetric(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((a, s) => a + s.value, 0);
}

/** The cumulative bucket counts of a histogram, summed over the series where() selects, by upper bound. */
export function histogramBuckets(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !where(s.labels)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return buckets;
}

/** after − before, bucket by bucket. */
export function bucketDelta(after: Map<number, number>, before: Map<number, number>): Map<number, number> {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket the rank falls in. */
export function histogramQuantile(q: number, buckets: Map<number, number>): number {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

const READ_VERBS = new Set(['GET', 'LIST', 'WATCH']);
const isMutating = (l: Record<string, string>) => !READ_VERBS.has(l.verb);

/** apiserver_request_total's requests between two scrapes (mutating ones unless all), by "VERB resource[/subresource]", most first. */
function writesByResource(before: Sample[], after: Sample[], all = false): Record<string, number> {
  const key = (l: Record<string, string>) => `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
  const delta = new Map<string, number>();
  for (const [samples, sign] of [[after, 1], [before, -1]] as const)
    for (const s of samples) if (s.name === 'apiserver_request_total' && (all || isMutating(s.labels))) delta.set(key(s.labels), (delta.get(key(s.labels)) ?? 0) + sign * s.value);
  return Object.fromEntries([...delta].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]));
}

// ---------------------------------------------------------------------------------------------------------------
// The fleet: control plane and members

export interface FleetOptions {
  members: number;
  /** Labels of member k (1-based) on its Cluster. */
  labels?: (k: number) => Record<string, string>;
  /** The members' workload simulator delay before a workload is ready. */
  readyDelay?: string;
  /** --cluster-status-update-frequency of the controller-manager. */
  statusFrequency?: string;
  /** Extra flags for the scheduler and controller-manager (leader election timings). */
  componentArgs?: string[];
  /** Extra flags for the controller-manager alone (its controllers' concurrency). */
  controllerManagerArgs?: string[];
  log?: (msg: string) => void;
}

export class Fleet {
  server!: APIServerProcess;
  members!: Proc;
  scheduler?: Proc;
  controllerManager?: Proc;
  membersDir = '';
  membersPort = 0;
  schedulerPort = 0;
  cmPort = 0;
  cp!: Credentials;
  cpAgent!: Agent;
  mc!: Credentials;
  mcAgent!: Agent;
  readonly memberNames: string[];
  private readonly started: { role: 'scheduler' | 'controllerManager'; proc: Proc }[] = [];
  private readonly log: (msg: string) => void;

  constructor(readonly opts: FleetOptions) {
    this.memberNames = Array.from({ length: opts.members }, (_, k) => `member${k + 1}`);
    this.log = opts.log ?? (() => {});
  }

  /** Starts the apiserver and the members process; then the scheduler and controller-manager; joins every member. */
  async start(): Promise<void> {
    this.server = await APIServerProcess.start();
    this.cp = await loadCredentials(this.server.dataDir, this.server.port);
    this.cpAgent = keepAliveAgent(this.cp, 32);
    this.membersDir = await tempDir('flotilla-bench-propagation-');
    this.membersPort = await freePort();
    this.schedulerPort = await freePort();
    this.cmPort = await freePort();
    this.log(`starting ${this.opts.members} members`);
    // The simulated members stand in for other machines, so their memory is not the control plane's, but their CPU is
    // taken from it. Semi-spaces twice V8's default of 16 MiB let fewer of the simulator's short-lived objects reach
    // the old generation: in a 40,000-Work burst the members process used 71.7 CPU seconds with them (every process
    // had them in that run), 76.1 without.
    this.members = new Proc(
      ['members', '--count', String(this.opts.members), '--data-dir', this.membersDir, '--port', String(this.membersPort), '--log-level', 'warn', '--ready-delay', this.opts.readyDelay ?? '100ms', '--record-workload-changes'],
      ['--max-semi-space-size=32'],
    );
    await until(`${this.opts.members} member kubeconfigs`, () => !this.members.running || this.members.output.split('\n').filter((l) => l.includes('\t')).length >= this.opts.members, 300_000);
    if (!this.members.running) throw new Error(`members process exited: ${this.members.output}`);
    this.mc = await loadCredentials(this.membersDir, this.membersPort);
    this.mcAgent = keepAliveAgent(this.mc, 16);
    this.startScheduler();
    this.startControllerManager();
    this.log(`joining ${this.opts.members} members`);
    // One after the other, as `flotilla up --demo-members` does.
    for (const [k, name] of this.memberNames.entries()) {
      await joinCluster({ name, clusterKubeconfig: this.memberKubeconfig(name), kubeconfig: this.server.kubeconfig, labels: this.opts.labels?.(k + 1) });
    }
    await until(
      'every Cluster Ready',
      async () => {
        const items = await this.listAll<any>('/apis/cluster.karmada.io/v1alpha1/clusters');
        return items.length === this.opts.members && items.every((c) => c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
      },
      300_000,
      500,
    );
    this.log('every member Ready');
  }

  memberKubeconfig(name: string): string {
    return join(this.membersDir, name, 'admin.kubeconfig');
  }

  private componentArgs(port: number): string[] {
    return ['--kubeconfig', this.server.kubeconfig, '--port', String(port), '--log-level', 'warn', ...(this.opts.componentArgs ?? [])];
  }

  startScheduler(): Proc {
    this.scheduler = new Proc(['scheduler', ...this.componentArgs(this.schedulerPort)]);
    this.started.push({ role: 'scheduler', proc: this.scheduler });
    return this.scheduler;
  }

  startControllerManager(): Proc {
    this.controllerManager = new Proc(['controller-manager', ...this.componentArgs(this.cmPort), '--cluster-status-update-frequency', this.opts.statusFrequency ?? '10s', ...(this.opts.controllerManagerArgs ?? [])]);
    this.started.push({ role: 'controllerManager', proc: this.controllerManager });
    return this.controllerManager;
  }

  /** Error-level log lines of every scheduler and controller-manager started so far, by role. */
  errorLines(): Record<string, string[]> {
    const out: Record<string, string[]> = { scheduler: [], controllerManager: [] };
    for (const { role, proc } of this.started) out[role].push(...proc.errorLines());
    return out;
  }

  /** A fresh keep-alive agent for the control plane (after an apiserver restart the old sockets are dead). */
  resetAgent(): void {
    this.cpAgent.destroy();
    this.cpAgent = keepAliveAgent(this.cp, 32);
  }

  request(method: string, path: string, body?: unknown): Promise<Response> {
    return send(this.cp, this.cpAgent, method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  async create(path: string, body: unknown): Promise<Response> {
    return this.request('POST', path, body);
  }

  /** Every item of a collection of the control plane (or of a member, with cluster), page by page. */
  async listAll<T>(path: string, cluster?: string): Promise<T[]> {
    const items: T[] = [];
    let cont = '';
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const url = `${path}${sep}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const r = cluster ? await send(this.mc, this.mcAgent, 'GET', `/clusters/${cluster}${url}`) : await this.request('GET', url);
      if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
      const list = JSON.parse(r.body.toString('utf8'));
      items.push(...(list.items ?? []));
      cont = list.metadata?.continue ?? '';
      if (!cont) return items;
    }
  }

  async metrics(port: number): Promise<Sample[]> {
    const r = await httpGet(port, '/metrics');
    if (r.status !== 200) throw new Error(`metrics on ${port}: ${r.status}`);
    return parseMetrics(r.body);
  }

  async apiserverMetrics(): Promise<Sample[]> {
    const r = await this.request('GET', '/metrics');
    if (r.status !== 200) throw new Error(`apiserver metrics: ${r.status}`);
    return parseMetrics(r.body.toString('utf8'));
  }

  /** Ready (controllers started, informers synced) and every work queue empty. */
  async idle(port: number): Promise<boolean> {
    const ready = await httpGet(port, '/readyz').catch(() => undefined);
    if (ready?.status !== 200) return false;
    const m = await this.metrics(port);
    return m.some((s) => s.name === 'workqueue_depth') && sumMetric(m, 'workqueue_depth') === 0;
  }

  /** The scheduler and the controller-manager idle on two scrapes in a row (a key being worked on is in no queue). */
  async settled(): Promise<{ scheduler: boolean; controllerManager: boolean }> {
    const twice = async (port: number) => (await this.idle(port)) && (await sleep(250), await this.idle(port));
    return { scheduler: await twice(this.schedulerPort), controllerManager: await twice(this.cmPort) };
  }

  /** Every process of the fleet by role, with its pid. */
  pids(): Record<string, number | undefined> {
    const pid = (p?: Proc) => (p?.running ? p.pid : undefined);
    return { apiserver: this.server?.proc?.exitCode === null ? this.server.proc.pid : undefined, scheduler: pid(this.scheduler), controllerManager: pid(this.controllerManager), members: pid(this.members) };
  }

  async stop(): Promise<void> {
    await this.controllerManager?.stop();
    await this.scheduler?.stop();
    await this.members?.stop();
    this.cpAgent?.destroy();
    this.mcAgent?.destroy();
    // SIGTERM first: a graceful exit is what writes a --cpu-prof profile.
    await this.server?.stop();
    await this.server?.destroy();
    if (this.membersDir && existsSync(this.membersDir)) await rm(this.membersDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Watching the members

interface Observed {
  replicas: number | undefined;
  /** performance.now() when the member's simulator saw the object with these replicas. */
  at: number;
}

/**
 * What every member holds of Deployments, and since when, from the changes each member's simulator records (`flotilla
 * members --record-workload-changes`). The simulator sees an object when the member's store commits it; a watch on
 * every member's Deployments saw it a little later, and cost CPU taken from the processes under test: in a
 * 40,000-Work run the benchmark used 45 CPU seconds with such a watch and 23 without.
 */
export class MemberWorkloads {
  /** member → "namespace/name" → what the member holds. */
  private readonly held = new Map<string, Map<string, Observed>>();
  private next = 0;
  private stopped = false;
  private readonly polling: Promise<void>;
  private polled = false;
  /** The latest poll's failure, if it failed. */
  failure?: unknown;

  constructor(private readonly fleet: Fleet, intervalMs = 100) {
    for (const m of fleet.memberNames) this.held.set(m, new Map());
    this.polling = (async () => {
      while (!this.stopped) {
        await this.poll().then(
          () => (this.failure = undefined),
          (err) => (this.failure = err),
        );
        this.polled = true;
        await sleep(intervalMs);
      }
    })();
  }

  private async poll(): Promise<void> {
    const r = await send(this.fleet.mc, this.fleet.mcAgent, 'GET', `/members/workload-changes?since=${this.next}`);
    if (r.status !== 200) throw new Error(`GET /members/workload-changes: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    const { next, items } = JSON.parse(r.body.toString('utf8')) as { next: number; items: MemberWorkloadChange[] };
    for (const c of items) {
      const held = this.held.get(c.member);
      if (c.kind !== 'Deployment' || !held) continue;
      const key = `${c.namespace}/${c.name}`;
      if (c.deleted) held.delete(key);
      else if (held.get(key)?.replicas !== c.replicas) held.set(key, { replicas: c.replicas, at: c.at - performance.timeOrigin });
    }
    this.next = next;
  }

  async synced(timeoutMs = 120_000): Promise<void> {
    await until('the members\' workload changes', () => this.polled, timeoutMs);
    if (this.failure) throw this.failure;
  }

  /** When member holds namespace/name with the given replicas (performance.now()), or undefined. */
  arrival(member: string, key: string, replicas: number): number | undefined {
    const o = this.held.get(member)?.get(key);
    return o && o.replicas === replicas ? o.at : undefined;
  }

  /** What member holds in namespace: name → replicas. */
  contents(member: string, namespace: string): Map<string, number | undefined> {
    const out = new Map<string, number | undefined>();
    for (const [key, o] of this.held.get(member) ?? []) if (key.startsWith(`${namespace}/`)) out.set(key.slice(namespace.length + 1), o.replicas);
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.polling;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

export function deployment(namespace: string, name: string, replicas: number, labels: Record<string, string> = {}): object {
  const app = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...app, ...labels } },
    spec: { replicas, selector: { matchLabels: app }, template: { metadata: { labels: app }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  };
}

/** A PropagationPolicy for one Deployment: clusters with the pair label, replicas divided by static weight. */
function steadyPolicy(namespace: string, name: string, pair: string, weights: [string, number][]): object {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
      placement: {
        clusterAffinity: { labelSelector: { matchLabels: { [PAIR_LABEL]: pair } } },
        replicaScheduling: {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: { staticWeightList: weights.map(([cluster, weight]) => ({ targetCluster: { clusterNames: [cluster] }, weight })) },
        },
      },
    },
  };
}

function namespace(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function expectCreated(r: Response, what: string, errors: string[]): boolean {
  if (r.status === 201) return true;
  errors.push(`create ${what}: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark

export interface PropagationBenchOptions {
  members: number;
  templates: number;
  rate: number;
  burst: number;
  burstMembers: number;
  /** Templates propagated like the steady ones, and measured on their own, before the steady scenario (0: none). */
  warmup?: number;
  coldStart: boolean;
  /** Cold starts to measure, each from the store as the burst left it (default 1). */
  coldStarts?: number;
  /** Cap of each wait (landing, draining, cold start). */
  phaseTimeoutMs?: number;
  /** Extra flags for the controller-manager, e.g. its controllers' concurrency. */
  controllerManagerArgs?: string[];
  log?: (msg: string) => void;
}

/** Templates created at a fixed rate, and how long each took to be in both of its members. */
export interface PropagationRun {
  templates: number;
  rate_target: number;
  rate_actual: number;
  landed: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  p50_by_tenth_ms: number[];
  drain_s: number;
}

export interface PropagationBenchResult {
  date: string;
  options: PropagationBenchOptions;
  /** settled_s: from the start until the controllers are idle with the steady namespace in place. */
  setup: { members_ready_s: number; settled_s: number };
  /** The warm-up's templates, from the processes' first propagation; null without one. */
  warmup: PropagationRun | null;
  steady: PropagationRun & {
    /** Every apiserver request from the first create until the last template landed, reads and watches too. */
    apiserver_requests_by_resource: Record<string, number>;
  };
  burst: {
    templates: number;
    members: number;
    objects: number;
    landed: number;
    create_s: number;
    creates_per_s: number;
    drain_s: number;
    /** From the first create until the scheduler and the controller-manager are idle (every status reflected). */
    settled_s: number;
    works_per_s: number;
    bindings_per_s: number;
    bindings_scheduled_s: number;
    apiserver_mutating_p99_ms: number;
    apiserver_mutating_requests: number;
    /** Writes the apiserver served during the burst, by verb and resource: where the per-object cost goes. */
    apiserver_writes_by_resource: Record<string, number>;
    /** CPU seconds of each process from the first create until settled (this process's own under "bench"). */
    cpu_s: Record<string, number>;
    /**
     * Those CPU milliseconds per object: the control plane's (apiserver, scheduler, controller-manager) and the
     * members process's. With C cores, objects/s can be at most C × 1,000 ÷ their sum.
     */
    cpu_ms_per_object: { control_plane: number; members: number };
  };
  cold_start_s: number | null;
  cold_start: {
    apiserver_ready_s: number;
    scheduler_idle_s: number;
    controllers_idle_s: number;
    verified_s: number;
    bindings: number;
    works: number;
    apiserver_mutating_requests: number;
    /** Writes of the restarted control plane, by verb and resource: a store in sync should need next to none. */
    apiserver_writes_by_resource: Record<string, number>;
  } | null;
  /**
   * Each cold start measured (--cold-starts N), every one from the store as the burst left it (the first is
   * cold_start_s itself): its time to idle, as cold_start_s, and its writes. How much the same cold start moves from
   * run to run.
   */
  cold_start_repeats: { idle_s: number; apiserver_writes_by_resource: Record<string, number>; cpu_s: Record<string, number> }[];
  /** The control plane's: apiserver, scheduler and controller-manager, not the members process. */
  rss_peak_total_mb: number;
  rss_peak_mb: Record<string, number>;
  /**
   * rss_peak_mb split by the processes' incarnation: those that ran the steady and burst scenarios, and those restarted
   * for the cold start (which list everything at once). Which of the two sets the peak says where to look for memory.
   */
  rss_peak_mb_by_phase: { run: Record<string, number>; cold_start: Record<string, number> };
  rss_final_mb: Record<string, number>;
  /**
   * At the end of the burst, from each control-plane process's Node.js metrics: the V8 heap in use and reserved,
   * memory held outside it (Buffers), and the RSS: how much of the RSS is live objects.
   */
  memory_after_burst_mb: Record<string, { heap_used: number; heap_total: number; external: number; rss: number }>;
  store_bytes: { apiserver: number; members: number };
  /** CPU seconds (user+system) of each role over the whole run, restarts included, and of this process. */
  cpu_s: Record<string, number>;
  /**
   * os.loadavg() at the start and at the end, and the number of CPUs: other work on the machine skews every figure.
   * speed_probe_ms: speedProbeMs() every PROBE_INTERVAL_MS through the run, nearest-rank P10 / P50 / P90 (lower is
   * faster).
   */
  machine: { cpus: number; loadavg_start: number[]; loadavg_end: number[]; speed_probe_ms: { p10: number; p50: number; p90: number; count: number } };
  /** Error-level log lines of the control-plane processes. */
  process_errors: Record<string, number>;
  /** The scheduler's and controller-manager's error lines by controller, message and HTTP status. */
  process_error_kinds: Record<string, number>;
  /**
   * Bindings that are scheduled (spec.clusters written, schedulerObservedGeneration current) but carry no
   * Scheduled=True condition: when the scheduler's status patch after its spec write meets a 409, its retry finds
   * nothing to schedule and writes only schedulerObservedGeneration (scheduler/schedule.ts, reconcile).
   */
  bindings_without_scheduled_condition: string[];
  /** Anything that went wrong: failed creates, objects that did not land, checks that failed. */
  errors: string[];
}

const STEADY_NS = 'bench-steady';
const WARMUP_NS = 'bench-warmup';
const BURST_NS = 'bench-burst';

export async function runPropagationBench(o: PropagationBenchOptions): Promise<PropagationBenchResult> {
  const log = o.log ?? (() => {});
  const timeout = o.phaseTimeoutMs ?? 600_000;
  const pairs = Math.floor(o.members / 2);
  if (pairs < 1) throw new Error('--members must be at least 2');
  const burstMembers = Math.min(o.burstMembers, o.members);
  const errors: string[] = [];
  const fleet = new Fleet({
    members: o.members,
    labels: (k) => ({ [PAIR_LABEL]: `p${Math.ceil(k / 2)}`, ...(k <= burstMembers ? { [BURST_LABEL]: 'true' } : {}) }),
    controllerManagerArgs: o.controllerManagerArgs,
    log,
  });
  const peakByPhase = { run: {} as Record<string, number>, cold_start: {} as Record<string, number> };
  let phase: keyof typeof peakByPhase = 'run';
  const final: Record<string, number> = {};
  // CPU seconds by pid (the last reading of each incarnation of a role), summed by role at the end.
  const cpu = new Map<number, { role: string; seconds: number }>();
  const sample = async () => {
    // As of the start: the processes sampled are those running now, and a restart comes after the phase changes.
    const at = phase;
    for (const [role, pid] of Object.entries(fleet.pids())) {
      if (!pid) continue;
      const r = await rssKiB(pid).catch(() => undefined);
      if (!r) continue;
      // A process on its way out has no VmRSS line any more.
      if (!Number.isFinite(r.rss)) continue;
      const kib = Math.max(r.rss, Number.isFinite(r.hwm) ? r.hwm : 0);
      // The members process is not restarted: its peak is the run's.
      const p = role === 'members' ? peakByPhase.run : peakByPhase[at];
      p[role] = Math.max(p[role] ?? 0, kib);
      final[role] = r.rss;
      const seconds = await cpuSeconds(pid).catch(() => undefined);
      if (seconds !== undefined) cpu.set(pid, { role, seconds });
    }
  };
  const sampler = setInterval(() => void sample(), 1000);
  /** CPU seconds of each role's running process so far. */
  const cpuByRole = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(Object.entries(fleet.pids()).flatMap(([role, pid]) => (pid ? [cpuSeconds(pid).then((seconds) => [role, seconds] as const, () => [role, NaN] as const)] : []))),
    );
  const probes: number[] = [];
  const prober = setInterval(() => probes.push(speedProbeMs()), PROBE_INTERVAL_MS);
  let watch: MemberWorkloads | undefined;
  const t0 = performance.now();
  const loadStart = loadavg();
  const selfCpu = process.cpuUsage();
  try {
    await fleet.start();
    const membersReadyS = (performance.now() - t0) / 1000;
    watch = new MemberWorkloads(fleet);
    await watch.synced();

    /**
     * count Deployments at o.rate per second, each with its own PropagationPolicy dividing it 3:1 over one pair, in
     * namespace ns; resolves once all have landed (or the phase times out), with their latencies in creation order.
     */
    const propagateAtRate = async (ns: string, prefix: string, count: number) => {
      const created = new Map<string, number>();
      const expected = new Map<string, [string, number][]>();
      const inflight = new Set<Promise<void>>();
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + (i * 1000) / o.rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        while (inflight.size >= 32) await Promise.race(inflight);
        const name = `${prefix}-${i}`;
        const pair = (i % pairs) + 1;
        const weights: [string, number][] = [
          [`member${2 * pair - 1}`, 3],
          [`member${2 * pair}`, 1],
        ];
        expected.set(`${ns}/${name}`, weights);
        const p = (async () => {
          const pp = await fleet.create(`/apis/policy.karmada.io/v1alpha1/namespaces/${ns}/propagationpolicies`, steadyPolicy(ns, name, `p${pair}`, weights));
          if (!expectCreated(pp, `PropagationPolicy ${name}`, errors)) return;
          const d = await fleet.create(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment(ns, name, 4));
          if (expectCreated(d, `Deployment ${name}`, errors)) created.set(`${ns}/${name}`, performance.now());
        })()
          .catch((err) => void errors.push(`create ${name}: ${err}`))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.all(inflight);
      const createdAt = performance.now();
      const arrival = (key: string) => {
        const at = expected.get(key)!.map(([m, r]) => watch!.arrival(m, key, r));
        return at.every((x) => x !== undefined) ? Math.max(...(at as number[])) : undefined;
      };
      const landed = () => [...created.keys()].filter((k) => arrival(k) !== undefined).length;
      await until(`${created.size} Deployments of ${ns} in their members`, () => landed() === created.size, timeout, 250).catch((err) => errors.push(String(err)));
      const done = performance.now();
      checkMembers(watch!, fleet.memberNames, ns, (m) => new Map([...expected].flatMap(([k, ws]) => ws.filter(([c]) => c === m).map(([, r]) => [k.split('/')[1], r] as [string, number]))), errors);
      // In creation order: a backlog shows as latencies that grow over the run, a fixed delay as a flat line.
      const latencies = [...created].sort((a, b) => a[1] - b[1]).flatMap(([k, at]) => {
        const arrived = arrival(k);
        return arrived === undefined ? [] : [arrived - at];
      });
      const st = stats(latencies);
      const tenths = Array.from({ length: Math.min(10, latencies.length) }, (_, i) =>
        round(stats(latencies.slice(Math.floor((i * latencies.length) / 10), Math.floor(((i + 1) * latencies.length) / 10))).p50Ms),
      );
      return {
        templates: count,
        rate_target: o.rate,
        rate_actual: round((count * 1000) / (createdAt - start), 1),
        landed: landed(),
        p50_ms: round(st.p50Ms),
        p90_ms: round(st.p90Ms),
        p99_ms: round(st.p99Ms),
        max_ms: round(st.maxMs),
        mean_ms: round(st.meanMs),
        p50_by_tenth_ms: tenths,
        drain_s: round((done - start) / 1000, 2),
      };
    };

    // 1. steady, after the warm-up
    log(`steady: ${o.templates} Deployments at ${o.rate}/s over ${pairs} pairs${o.warmup ? `, after ${o.warmup} to warm up` : ''}`);
    for (const ns of o.warmup ? [WARMUP_NS, STEADY_NS] : [STEADY_NS]) expectCreated(await fleet.create('/api/v1/namespaces', namespace(ns)), `namespace ${ns}`, errors);
    // The steady state is measured from a settled fleet: the joins' aftermath (every member's first status, the
    // namespace propagated to each) is over, as it is in a running federation.
    const settle = (what: string) => until(what, async () => Object.values(await fleet.settled()).every(Boolean), timeout, 250).catch((err) => errors.push(String(err)));
    await settle('the controllers to settle before the steady scenario');
    const settledS = (performance.now() - t0) / 1000;
    let warmup: PropagationBenchResult['warmup'] = null;
    if (o.warmup) {
      // Processes that have just started run every path for the first time (V8 has compiled nothing yet): that cost
      // is measured here, on its own, and the steady scenario starts from a fleet that has propagated before.
      warmup = await propagateAtRate(WARMUP_NS, 'w', o.warmup);
      log(`warm-up: ${warmup.landed}/${o.warmup} landed, P50 ${warmup.p50_ms} ms, P90 ${warmup.p90_ms} ms, P99 ${warmup.p99_ms} ms`);
      await settle('the controllers to settle after the warm-up');
    }
    const apiBeforeSteady = await fleet.apiserverMetrics();
    const measured = await propagateAtRate(STEADY_NS, 'd', o.templates);
    const apiAfterSteady = await fleet.apiserverMetrics();
    const steady = { ...measured, apiserver_requests_by_resource: writesByResource(apiBeforeSteady, apiAfterSteady, true) };
    log(`steady: ${steady.landed}/${o.templates} landed, P50 ${steady.p50_ms} ms, P90 ${steady.p90_ms} ms, P99 ${steady.p99_ms} ms`);

    // 2. burst
    const burstTargets = fleet.memberNames.slice(0, burstMembers);
    log(`burst: ${o.burst} Deployments × ${burstMembers} members`);
    expectCreated(await fleet.create('/api/v1/namespaces', namespace(BURST_NS)), `namespace ${BURST_NS}`, errors);
    expectCreated(
      await fleet.create('/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies', {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'ClusterPropagationPolicy',
        metadata: { name: 'bench-burst' },
        spec: {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: BURST_NS }],
          placement: { clusterAffinity: { labelSelector: { matchLabels: { [BURST_LABEL]: 'true' } } }, replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
        },
      }),
      'ClusterPropagationPolicy bench-burst',
      errors,
    );
    // Let the namespace reach the members first: the burst measures Deployments, not namespace sync.
    await until(`namespace ${BURST_NS} in the burst members`, async () => (await Promise.all(burstTargets.map((m) => send(fleet.mc, fleet.mcAgent, 'GET', `/clusters/${m}/api/v1/namespaces/${BURST_NS}`)))).every((r) => r.status === 200), 60_000, 250).catch((err) => errors.push(String(err)));
    const bindingsPath = `/apis/work.karmada.io/v1alpha2/namespaces/${BURST_NS}/resourcebindings`;
    const bindingsRV = await fleet.request('GET', `${bindingsPath}?limit=1`).then((r) => JSON.parse(r.body.toString('utf8')).metadata.resourceVersion as string);
    const scheduled = new ScheduledBindings(fleet.cp, BURST_NS);
    await scheduled.start(bindingsRV);
    const apiSamplesBefore = await fleet.apiserverMetrics();
    const apiBefore = histogramBuckets(apiSamplesBefore, 'apiserver_request_duration_seconds', isMutating);
    const cpuBeforeBurst = await cpuByRole();
    const selfCpuBeforeBurst = process.cpuUsage();
    const bStart = performance.now();
    let next = 0;
    let burstCreated = 0;
    await Promise.all(
      Array.from({ length: Math.min(16, o.burst) }, async () => {
        while (next < o.burst) {
          const name = `b-${next++}`;
          const r = await fleet.create(`/apis/apps/v1/namespaces/${BURST_NS}/deployments`, deployment(BURST_NS, name, 2)).catch((err) => ({ status: 0, body: Buffer.from(String(err)) }) as Response);
          if (expectCreated(r, `Deployment ${BURST_NS}/${name}`, errors)) burstCreated++;
        }
      }),
    );
    const bCreated = performance.now();
    // The watch ends once every binding is counted: through the rest of the drain its events (each binding's status,
    // as its Works land) would take the apiserver's and this process's CPU.
    const bindingsCounted = until('every burst binding scheduled', () => scheduled.count >= burstCreated || scheduled.failure !== undefined, timeout, 100)
      .catch((err) => errors.push(String(err)))
      .finally(() => scheduled.stop());
    const burstLanded = () => {
      let n = 0;
      for (const m of burstTargets) for (const [, r] of watch!.contents(m, BURST_NS)) if (r === 2) n++;
      return n;
    };
    const objects = burstCreated * burstMembers;
    await until(`${objects} burst objects in the members`, () => burstLanded() >= objects, timeout, 250).catch((err) => errors.push(String(err)));
    let lastArrival = bStart;
    for (const m of burstTargets) for (const name of watch.contents(m, BURST_NS).keys()) lastArrival = Math.max(lastArrival, watch.arrival(m, `${BURST_NS}/${name}`, 2) ?? 0);
    await bindingsCounted;
    if (scheduled.count < burstCreated) errors.push(`burst bindings scheduled: ${scheduled.count} of ${burstCreated}${scheduled.failure ? ` (watch: ${scheduled.failure})` : ''}`);
    const bindingsScheduledAt = scheduled.count >= burstCreated ? scheduled.lastAt : undefined;
    // The statuses (Work, binding, template) may still be catching up with objects that landed: the burst's writes
    // and latencies count them, and the cold start below starts from a control plane that had nothing left to do.
    await until('the controllers to settle after the burst', async () => Object.values(await fleet.settled()).every(Boolean), timeout, 250).catch((err) => errors.push(String(err)));
    const bSettled = performance.now();
    const cpuAfterBurst = await cpuByRole();
    const selfCpuBurst = process.cpuUsage(selfCpuBeforeBurst);
    const burstCpu: Record<string, number> = {};
    for (const [role, seconds] of Object.entries(cpuAfterBurst)) burstCpu[role] = round(seconds - (cpuBeforeBurst[role] ?? NaN), 1);
    const cpuMsPerObject = (roles: string[]) => round((roles.reduce((sum, role) => sum + (burstCpu[role] ?? NaN), 0) * 1000) / objects, 2);
    burstCpu.bench = round((selfCpuBurst.user + selfCpuBurst.system) / 1e6, 1);
    const apiSamplesAfter = await fleet.apiserverMetrics();
    const memoryOf = (m: Sample[]) => {
      const value = (name: string) => round(sumMetric(m, name) / 2 ** 20);
      return { heap_used: value('nodejs_heap_size_used_bytes'), heap_total: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes'), rss: value('process_resident_memory_bytes') };
    };
    const memoryAfterBurst = {
      apiserver: memoryOf(apiSamplesAfter),
      scheduler: memoryOf(await fleet.metrics(fleet.schedulerPort)),
      controllerManager: memoryOf(await fleet.metrics(fleet.cmPort)),
    };
    const apiDelta = bucketDelta(histogramBuckets(apiSamplesAfter, 'apiserver_request_duration_seconds', isMutating), apiBefore);
    const drainS = (lastArrival - bStart) / 1000;
    const bindingsS = bindingsScheduledAt === undefined ? NaN : (bindingsScheduledAt - bStart) / 1000;
    const burst = {
      templates: o.burst,
      members: burstMembers,
      objects,
      landed: burstLanded(),
      create_s: round((bCreated - bStart) / 1000, 2),
      creates_per_s: round((burstCreated * 1000) / (bCreated - bStart), 1),
      drain_s: round(drainS, 2),
      settled_s: round((bSettled - bStart) / 1000, 2),
      works_per_s: round(objects / drainS, 1),
      bindings_per_s: round(burstCreated / bindingsS, 1),
      bindings_scheduled_s: round(bindingsS, 2),
      apiserver_mutating_p99_ms: round(histogramQuantile(0.99, apiDelta) * 1000),
      apiserver_mutating_requests: Math.max(0, ...apiDelta.values()),
      apiserver_writes_by_resource: writesByResource(apiSamplesBefore, apiSamplesAfter),
      cpu_s: burstCpu,
      cpu_ms_per_object: { control_plane: cpuMsPerObject(['apiserver', 'scheduler', 'controllerManager']), members: cpuMsPerObject(['members']) },
    };
    log(`burst: ${burst.landed}/${objects} objects in ${burst.drain_s} s`);
    checkMembers(watch, burstTargets, BURST_NS, () => new Map(Array.from({ length: o.burst }, (_, i) => [`b-${i}`, 2])), errors);
    for (const m of fleet.memberNames.slice(burstMembers)) if (watch.contents(m, BURST_NS).size > 0) errors.push(`${m} is not a burst member but holds ${watch.contents(m, BURST_NS).size} burst Deployments`);

    // 3. cold start
    let apiserverErrorLines = 0;
    let coldStart: PropagationBenchResult['cold_start'] = null;
    const coldStartRepeats: PropagationBenchResult['cold_start_repeats'] = [];
    const coldStarts = o.coldStart ? Math.max(1, o.coldStarts ?? 1) : 0;
    // Each repeat starts from the store as the burst left it, kept aside while the first cold start runs.
    const storeDir = join(fleet.server.dataDir, 'store');
    const storeCopy = join(fleet.server.dataDir, 'store-after-burst');
    for (let run = 1; run <= coldStarts; run++) {
      log(`cold start${coldStarts > 1 ? ` ${run} of ${coldStarts}` : ''}: stopping the control plane`);
      await sample();
      await fleet.controllerManager!.stop();
      await fleet.scheduler!.stop();
      await fleet.server.stop();
      apiserverErrorLines += errorLineCount(fleet.server.output);
      if (coldStarts > 1 && run === 1) await cp(storeDir, storeCopy, { recursive: true });
      if (run > 1) {
        await rm(storeDir, { recursive: true, force: true });
        await cp(storeCopy, storeDir, { recursive: true });
      }
      phase = 'cold_start';
      const membersCpuBefore = (await cpuByRole()).members ?? 0;
      const c0 = performance.now();
      await fleet.server.start();
      fleet.resetAgent();
      const apiReady = performance.now();
      const apiBeforeCold = await fleet.apiserverMetrics();
      fleet.startScheduler();
      fleet.startControllerManager();
      let schedulerIdle: number | undefined;
      let cmIdle: number | undefined;
      let verified: number | undefined;
      let bindings = 0;
      let works = 0;
      let unsettled = 'the scheduler or the controller-manager never idle';
      await until(
        'the restarted control plane to settle',
        async () => {
          const { scheduler: s, controllerManager: c } = await fleet.settled();
          if (s) schedulerIdle ??= performance.now();
          if (c) cmIdle ??= performance.now();
          if (!s || !c) return false;
          const rbs = await fleet.listAll<any>('/apis/work.karmada.io/v1alpha2/resourcebindings');
          // Scheduled: the result is for the current generation. (Not the Scheduled condition: see scheduledConditionMissing.)
          const unscheduled = rbs.filter((b) => !(b.status?.schedulerObservedGeneration === b.metadata.generation && b.spec.clusters?.length > 0));
          const ws = await fleet.listAll<any>('/apis/work.karmada.io/v1alpha1/works');
          const unapplied = ws.filter((w) => !w.status?.conditions?.some((x: any) => x.type === 'Applied' && x.status === 'True'));
          bindings = rbs.length;
          works = ws.length;
          if (unscheduled.length || unapplied.length) {
            const brief = (o: any) => `${o.metadata.namespace}/${o.metadata.name} gen ${o.metadata.generation} ${JSON.stringify(o.status?.conditions?.map((c: any) => `${c.type}=${c.status}:${c.reason}`))}${o.status?.schedulerObservedGeneration !== undefined ? ` observed ${o.status.schedulerObservedGeneration}` : ''}`;
            unsettled = `${unscheduled.length} bindings not scheduled (${unscheduled.slice(0, 3).map(brief).join('; ')}), ${unapplied.length} Works not applied (${unapplied.slice(0, 3).map(brief).join('; ')})`;
            schedulerIdle = cmIdle = undefined;
            return false;
          }
          verified = performance.now();
          return true;
        },
        timeout,
        250,
      ).catch((err) => errors.push(`cold start: ${err}: ${unsettled}`));
      // The control plane's processes are new: what they used so far is the cold start's, the checks above included.
      const cpuAfterCold = await cpuByRole();
      const coldCpu = Object.fromEntries(Object.entries(cpuAfterCold).map(([role, seconds]) => [role, round(role === 'members' ? seconds - membersCpuBefore : seconds, 1)]));
      const apiAfterCold = await fleet.apiserverMetrics().catch(() => []);
      const writes = sumMetric(apiAfterCold, 'apiserver_request_total', isMutating) - sumMetric(apiBeforeCold, 'apiserver_request_total', isMutating);
      const s = (t: number | undefined) => (t === undefined ? NaN : round((t - c0) / 1000, 2));
      const record = {
        apiserver_ready_s: s(apiReady),
        scheduler_idle_s: s(schedulerIdle),
        controllers_idle_s: s(cmIdle),
        verified_s: s(verified),
        bindings,
        works,
        apiserver_mutating_requests: writes,
        apiserver_writes_by_resource: writesByResource(apiBeforeCold, apiAfterCold),
      };
      coldStart ??= record;
      coldStartRepeats.push({ idle_s: Math.max(record.controllers_idle_s, record.scheduler_idle_s), apiserver_writes_by_resource: record.apiserver_writes_by_resource, cpu_s: coldCpu });
      log(`cold start${coldStarts > 1 ? ` ${run} of ${coldStarts}` : ''}: idle after ${record.controllers_idle_s} s`);
      // Nothing may have moved in the members.
      checkMembers(watch, burstTargets, BURST_NS, () => new Map(Array.from({ length: o.burst }, (_, i) => [`b-${i}`, 2])), errors);
    }
    await rm(storeCopy, { recursive: true, force: true });

    // Every binding should carry Scheduled=True once scheduled; a known scheduler bug can leave it out (see the
    // result's doc), so it is reported apart from the errors.
    const missing = (await fleet.listAll<any>('/apis/work.karmada.io/v1alpha2/resourcebindings').catch(() => []))
      .filter((b) => !b.status?.conditions?.some((x: any) => x.type === 'Scheduled' && x.status === 'True'))
      .map((b) => `${b.metadata.namespace}/${b.metadata.name}`);

    // 4. footprint
    await sample();
    const storeBytes = { apiserver: await diskBytes(fleet.server.dataDir), members: await diskBytes(fleet.membersDir) };
    const mb = (kib: number) => round(kib / 1024, 1);
    const inMiB = (kibByRole: Record<string, number>) => Object.fromEntries(Object.entries(kibByRole).map(([k, v]) => [k, mb(v)]));
    // Each role's peak over both phases.
    const peak = { ...peakByPhase.run };
    for (const [role, kib] of Object.entries(peakByPhase.cold_start)) peak[role] = Math.max(peak[role] ?? 0, kib);
    const processErrors: Record<string, number> = {};
    const errorKinds: Record<string, number> = {};
    for (const [role, lines] of Object.entries(fleet.errorLines())) {
      processErrors[role] = lines.length;
      for (const line of lines) {
        const kind = `${role}: ${errorKind(line)}`;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    }
    processErrors.members = fleet.members.errorLines().length;
    processErrors.apiserver = apiserverErrorLines + errorLineCount(fleet.server.output);
    const coldStartS = coldStart ? (Number.isNaN(coldStart.controllers_idle_s) ? null : Math.max(coldStart.controllers_idle_s, coldStart.scheduler_idle_s)) : null;
    return {
      date: new Date().toISOString(),
      options: o,
      setup: { members_ready_s: round(membersReadyS, 1), settled_s: round(settledS, 1) },
      warmup,
      steady,
      burst,
      cold_start_s: coldStartS,
      cold_start: coldStart,
      cold_start_repeats: coldStartRepeats,
      rss_peak_total_mb: mb(Object.entries(peak).reduce((a, [role, kib]) => (role === 'members' ? a : a + kib), 0)),
      rss_peak_mb: inMiB(peak),
      rss_peak_mb_by_phase: { run: inMiB(peakByPhase.run), cold_start: inMiB(peakByPhase.cold_start) },
      rss_final_mb: inMiB(final),
      memory_after_burst_mb: memoryAfterBurst,
      store_bytes: storeBytes,
      cpu_s: {
        ...Object.fromEntries([...cpu.values()].reduce((m, { role, seconds }) => m.set(role, round((m.get(role) ?? 0) + seconds, 1)), new Map<string, number>())),
        bench: round((process.cpuUsage(selfCpu).user + process.cpuUsage(selfCpu).system) / 1e6, 1),
      },
      machine: { cpus: cpus().length, loadavg_start: loadStart.map((x) => round(x, 2)), loadavg_end: loadavg().map((x) => round(x, 2)), speed_probe_ms: probeStats(probes) },
      process_errors: processErrors,
      process_error_kinds: errorKinds,
      bindings_without_scheduled_condition: missing,
      errors,
    };
  } finally {
    clearInterval(sampler);
    clearInterval(prober);
    await watch?.stop();
    await fleet.stop();
  }
}

/** Each member holds exactly what want(member) says in namespace (name → replicas): nothing missing, nothing more. */
function checkMembers(watch: MemberWorkloads, members: string[], ns: string, want: (member: string) => Map<string, number>, errors: string[]): void {
  if (watch.failure) errors.push(`reading the members' workload changes: ${watch.failure}`);
  for (const m of members) {
    const has = watch.contents(m, ns);
    const w = want(m);
    const missing = [...w].filter(([name, r]) => has.get(name) !== r).map(([name, r]) => `${name} (want ${r}, has ${has.get(name)})`);
    const extra = [...has.keys()].filter((name) => !w.has(name));
    if (missing.length) errors.push(`${m}/${ns}: ${missing.length} missing or wrong: ${missing.slice(0, 5).join(', ')}`);
    if (extra.length) errors.push(`${m}/${ns}: ${extra.length} not wanted: ${extra.slice(0, 5).join(', ')}`);
  }
}

function probeStats(samples: number[]): PropagationBenchResult['machine']['speed_probe_ms'] {
  const a = Float64Array.from(samples).sort();
  const at = (p: number) => round(nearestRank(a, p), 1);
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9), count: a.length };
}

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export /** Request counts divided by what they were for, "VERB resource n, …". */
function perUnit(counts: Record<string, number>, units: number): string {
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${round(n / Math.max(1, units), 2)}`)
    .join(', ');
}

/** The rows of one PropagationRun. */
function runRows(label: string, what: string, run: PropagationRun, members: number): [string, string][] {
  return [
    [`${label}: ${run.templates} Deployments at ${run.rate_target}/s (actual ${run.rate_actual}/s), divided 3:1 over 2 of ${members} members, ${what}`, `${run.landed}/${run.templates} landed`],
    [`${label}: 201 → in both members, P50 / P90 / P99 / max`, `${run.p50_ms} / ${run.p90_ms} / ${run.p99_ms} / ${run.max_ms} ms`],
    [`${label}: P50 of each tenth of the templates, in creation order`, `${run.p50_by_tenth_ms.join(' · ')} ms`],
  ];
}

function markdown(r: PropagationBenchResult): string {
  const o = r.options;
  const c = r.cold_start;
  const rows: [string, string][] = [
    ...(o.controllerManagerArgs?.length ? [['controller-manager flags', o.controllerManagerArgs.join(' ')] as [string, string]] : []),
    ['members Ready after start (start, join all, all Ready)', `${r.setup.members_ready_s} s`],
    ['controllers idle, steady namespace in place (from start)', `${r.setup.settled_s} s`],
    ...(r.warmup ? runRows('warm-up', 'the first propagations of the started processes', r.warmup, o.members) : [['warm-up', 'none (--warmup 0): the steady scenario starts on processes that have not propagated yet'] as [string, string]]),
    ...runRows('steady', r.warmup ? `after ${r.warmup.templates} to warm up` : 'without a warm-up', r.steady, o.members),
    ['steady: apiserver requests per template, by verb and resource', perUnit(r.steady.apiserver_requests_by_resource, o.templates)],
    [`burst: ${o.burst} Deployments duplicated to ${r.burst.members} members (${r.burst.objects} objects)`, `${r.burst.landed}/${r.burst.objects} landed`],
    ['burst: creates (closed loop, 16 in flight)', `${r.burst.create_s} s (${r.burst.creates_per_s}/s)`],
    ['burst: drain time (first create → last object in a member)', `${r.burst.drain_s} s`],
    ['burst: controllers idle, every status reflected (first create → idle)', `${r.burst.settled_s} s`],
    ['burst: Works/s (objects ÷ drain time)', `${r.burst.works_per_s}`],
    ['burst: bindings/s (bindings ÷ time until each was seen scheduled)', `${r.burst.bindings_per_s} (all after ${r.burst.bindings_scheduled_s} s)`],
    ['burst: apiserver mutating P99 (histogram, interpolated)', `${r.burst.apiserver_mutating_p99_ms} ms over ${r.burst.apiserver_mutating_requests} requests`],
    [
      'burst: apiserver writes per member object, by verb and resource',
      perUnit(r.burst.apiserver_writes_by_resource, r.burst.objects),
    ],
    ['burst: CPU seconds, first create → idle: ' + Object.keys(r.burst.cpu_s).join(' / '), Object.values(r.burst.cpu_s).join(' / ')],
    ['burst: CPU ms per object, control plane / members', `${r.burst.cpu_ms_per_object.control_plane} / ${r.burst.cpu_ms_per_object.members}`],
    [
      'cold start: apiserver ready / scheduler idle / controllers idle / verified',
      c ? `${c.apiserver_ready_s} / ${c.scheduler_idle_s} / ${c.controllers_idle_s} / ${c.verified_s} s (${c.bindings} bindings, ${c.works} Works, ${c.apiserver_mutating_requests} writes)` : 'skipped',
    ],
    ...(r.cold_start_repeats.length > 1
      ? [[`cold start, each of ${r.cold_start_repeats.length} from the burst's store: scheduler and controllers idle`, `${r.cold_start_repeats.map((c) => c.idle_s).join(' · ')} s`] as [string, string]]
      : []),
    ...(r.cold_start_repeats.length > 0
      ? [
          [
            `cold start${r.cold_start_repeats.length > 1 ? ', each' : ''}: CPU seconds until verified, ${Object.keys(r.cold_start_repeats[0].cpu_s).join(' / ')}`,
            r.cold_start_repeats.map((c) => Object.values(c.cpu_s).join(' / ')).join(' · '),
          ] as [string, string],
        ]
      : []),
    ...(c ? [['cold start: apiserver writes by verb and resource', Object.entries(c.apiserver_writes_by_resource).map(([k, n]) => `${k} ${n}`).join(', ')] as [string, string]] : []),
    ['RSS peak: ' + Object.keys(r.rss_peak_mb).join(' / '), `${Object.values(r.rss_peak_mb).join(' / ')} MiB (control plane ${r.rss_peak_total_mb})`],
    ...(c
      ? [
          [
            'RSS peak, steady and burst · cold start: ' + Object.keys(r.rss_peak_mb_by_phase.cold_start).join(' / '),
            `${Object.keys(r.rss_peak_mb_by_phase.cold_start).map((k) => r.rss_peak_mb_by_phase.run[k]).join(' / ')} · ${Object.values(r.rss_peak_mb_by_phase.cold_start).join(' / ')} MiB`,
          ] as [string, string],
        ]
      : []),
    ['RSS final: ' + Object.keys(r.rss_final_mb).join(' / '), `${Object.values(r.rss_final_mb).join(' / ')} MiB`],
    [
      'after the burst, heap used / heap total / external / RSS: ' + Object.keys(r.memory_after_burst_mb).join(' / '),
      Object.values(r.memory_after_burst_mb).map((m) => `${m.heap_used} / ${m.heap_total} / ${m.external} / ${m.rss}`).join(' · ') + ' MiB',
    ],
    ['CPU seconds: ' + Object.keys(r.cpu_s).join(' / '), Object.values(r.cpu_s).join(' / ')],
    ['machine: CPUs, load average at start / end', `${r.machine.cpus}, ${r.machine.loadavg_start[0]} / ${r.machine.loadavg_end[0]}`],
    [
      `machine speed: CPU ms of a fixed piece of work, every ${PROBE_INTERVAL_MS / 1000} s, P10 / P50 / P90 (lower is faster)`,
      `${r.machine.speed_probe_ms.p10} / ${r.machine.speed_probe_ms.p50} / ${r.machine.speed_probe_ms.p90} (${r.machine.speed_probe_ms.count} probe${r.machine.speed_probe_ms.count === 1 ? '' : 's'})`,
    ],
    ['store on disk: apiserver / members', `${round(r.store_bytes.apiserver / 2 ** 20, 1)} / ${round(r.store_bytes.members / 2 ** 20, 1)} MiB`],
    ['error-level log lines (409 conflicts included): ' + Object.keys(r.process_errors).join(' / '), Object.values(r.process_errors).join(' / ')],
    ...Object.entries(r.process_error_kinds)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([kind, n]): [string, string] => [`  ${kind.replaceAll('|', '\\|')}`, String(n)]),
    ['bindings scheduled but without the Scheduled condition (scheduler bug)', r.bindings_without_scheduled_condition.length ? `${r.bindings_without_scheduled_condition.length}: ${r.bindings_without_scheduled_condition.slice(0, 5).join(', ')}` : 'none'],
    ['errors', r.errors.length ? r.errors.slice(0, 10).join('; ') : 'none'],
  ];
  return [`| Propagation (${o.members} members) | Value |`, '| --- | ---: |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''].join('\n');
}

const BENCH_FLAGS = {
  members: { type: 'string', default: '100' },
  templates: { type: 'string', default: '2000' },
  rate: { type: 'string', default: '50' },
  warmup: { type: 'string' },
  burst: { type: 'string' },
  'burst-members': { type: 'string', default: '20' },
  'no-cold-start': { type: 'boolean', default: false },
  'cold-starts': { type: 'string', default: '1' },
  'phase-timeout': { type: 'string', default: '600' },
  'controller-manager-args': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const USAGE = `usage: node dist/bench/propagation.js [--members 100] [--templates 2000] [--rate 50] [--warmup N] [--burst N]
  [--burst-members 20] [--no-cold-start] [--cold-starts 1] [--phase-timeout SECONDS] [--controller-manager-args="FLAGS"]
(--warmup defaults to 10 s worth at --rate; --burst defaults to --templates; FLAGS are added to the
controller-manager's command line)
`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: BENCH_FLAGS });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const notCounts = (['members', 'templates', 'rate', 'warmup', 'burst', 'burst-members', 'cold-starts', 'phase-timeout'] as const).filter((k) => values[k] !== undefined && !/^\d+(\.\d+)?$/.test(values[k]!));
  if (notCounts.length) {
    process.stderr.write(`${notCounts.map((k) => `--${k} must be a non-negative number, not ${JSON.stringify(values[k])}`).join('\n')}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const templates = Number(values.templates);
  const rate = Number(values.rate);
  const opts: PropagationBenchOptions = {
    members: Number(values.members),
    templates,
    rate,
    warmup: values.warmup === undefined ? Math.round(rate * 10) : Number(values.warmup),
    burst: values.burst === undefined ? templates : Number(values.burst),
    burstMembers: Number(values['burst-members']),
    coldStart: !values['no-cold-start'],
    coldStarts: Number(values['cold-starts']),
    phaseTimeoutMs: Number(values['phase-timeout']) * 1000,
    controllerManagerArgs: values['controller-manager-args']?.split(/\s+/).filter(Boolean),
    log: (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`),
  };
  const result = await runPropagationBench(opts);
  await mkdir(join(RESULTS, '..'), { recursive: true });
  await writeFile(RESULTS, JSON.stringify({ ...result, options: { ...result.options, log: undefined } }, null, 2) + '\n');
  process.stdout.write(markdown(result));
  if (result.errors.length) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

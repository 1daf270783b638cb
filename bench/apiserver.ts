// `npm run bench:apiserver [-- --quick]`: end-to-end apiserver throughput and latency over HTTPS against a real
// `flotilla apiserver` process, next to the raw storage ceiling measured in this process.
//
// Phases (the apiserver process is shared, the storage benches run after it has been stopped):
//   creates c=1 (fills the "small" namespace), creates c=32 (fills the "large" namespace), gets c=32, full lists and
//   limit=500 paged lists of both namespaces, watch fan-out (W watchers × N creates), then the apiserver's RSS, then
//   benchStorageWrites / benchLevelPuts on the same ConfigMap JSON at concurrency 1 and 32, then benchStorageList: paged
//   lists of Work-sized objects while the event loop is kept busy.
// Output: a Markdown table on stdout and JSON in bench/results/apiserver-latest.json.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { request, type Agent } from 'node:https';
import type { ClientRequest } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APIServerProcess } from '../e2e/harness.js';
import { benchLevelPuts, benchStorageList, benchStorageWrites, type ListBenchOptions, type ListBenchResult, type WriteBenchResult } from '../storage/bench.js';
import type { KObject } from '../storage/store.js';
import { closedLoop, keepAliveAgent, loadCredentials, requestOptions, send, sleep, stats, type Credentials, type RunResult, type Stats } from './client.js';

interface Config {
  mode: 'quick' | 'default';
  creates1: number; // creates at concurrency 1 (= size of the small namespace)
  creates32: number; // creates at concurrency 32 (= size of the large namespace)
  gets: number;
  listRuns: number;
  pageSize: number;
  watchers: number;
  watchEvents: number;
  watchRate: number; // creates per second during the watch phase
  warmup: number;
}

const CONFIGS: Record<Config['mode'], Config> = {
  quick: { mode: 'quick', creates1: 500, creates32: 2000, gets: 2000, listRuns: 5, pageSize: 500, watchers: 100, watchEvents: 200, watchRate: 100, warmup: 100 },
  default: { mode: 'default', creates1: 1000, creates32: 10_000, gets: 10_000, listRuns: 20, pageSize: 500, watchers: 100, watchEvents: 1000, watchRate: 200, warmup: 300 },
};

const CONFIGMAP_BYTES = 1024;
const RESULTS = fileURLToPath(new URL('../../bench/results/apiserver-latest.json', import.meta.url));

/** A ConfigMap whose JSON is CONFIGMAP_BYTES long. */
function configMap(namespace: string, name: string): string {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: 'bench', tier: 'load' } }, data: { payload: '' } };
  const bare = JSON.stringify(obj).length;
  obj.data.payload = 'x'.repeat(Math.max(0, CONFIGMAP_BYTES - bare));
  return JSON.stringify(obj);
}

const pad = (i: number) => String(i).padStart(6, '0');
const cmPath = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

// --- server process accounting -------------------------------------------------------------------------------------

async function procStatus(pid: number): Promise<{ vmRSSKiB: number; vmHWMKiB: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { vmRSSKiB: kib('VmRSS'), vmHWMKiB: kib('VmHWM') };
}

/** utime+stime of a process in milliseconds (assumes the usual USER_HZ of 100). */
async function procCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface ServerLoop {
  /**
   * Event-loop stall of the apiserver since the previous scrape (prom-client resets its histogram on every scrape),
   * beyond prom-client's default 10 ms sampling interval, which monitorEventLoopDelay includes in every sample.
   */
  lagMaxMs: number;
  lagP99Ms: number;
  /** Cumulative GC time of the apiserver. */
  gcMs: number;
}

async function scrapeServer(creds: Credentials, agent: Agent): Promise<ServerLoop> {
  const r = await send(creds, agent, 'GET', '/metrics');
  const text = r.body.toString('utf8');
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.eE+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  let gc = 0;
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} ([0-9.eE+-]+)/gm)) gc += Number(m[1]);
  const PROM_CLIENT_RESOLUTION_MS = 10;
  const lag = (name: string) => Math.max(0, value(name) * 1000 - PROM_CLIENT_RESOLUTION_MS);
  return { lagMaxMs: lag('nodejs_eventloop_lag_max_seconds'), lagP99Ms: lag('nodejs_eventloop_lag_p99_seconds'), gcMs: gc * 1000 };
}

interface CpuSample {
  serverMs: number;
  clientMs: number;
  wallMs: number;
}

async function cpuStart(pid: number): Promise<() => Promise<CpuSample>> {
  const s0 = await procCpuMs(pid);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  return async () => {
    const c = process.cpuUsage(c0);
    return { serverMs: (await procCpuMs(pid)) - s0, clientMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
  };
}

// --- phases ---------------------------------------------------------------------------------------------------------

interface PhaseResult extends RunResult {
  cpu: CpuSample;
}

async function createNamespace(creds: Credentials, agent: Agent, name: string): Promise<void> {
  const r = await send(creds, agent, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  if (r.status !== 201) throw new Error(`creating namespace ${name}: ${r.status} ${r.body}`);
}

async function creates(creds: Credentials, pid: number, ns: string, n: number, concurrency: number): Promise<PhaseResult> {
  const agent = keepAliveAgent(creds, concurrency);
  try {
    const bodies = Array.from({ length: n }, (_, i) => configMap(ns, `cm-${pad(i)}`));
    const cpu = await cpuStart(pid);
    const r = await closedLoop(n, concurrency, 201, async (i) => (await send(creds, agent, 'POST', cmPath(ns), bodies[i])).status);
    return { ...r, cpu: await cpu() };
  } finally {
    agent.destroy();
  }
}

async function gets(creds: Credentials, pid: number, ns: string, population: number, n: number, concurrency: number): Promise<PhaseResult> {
  const agent = keepAliveAgent(creds, concurrency);
  try {
    // A fixed pseudo-random sequence over the population.
    let seed = 12345;
    const names = Array.from({ length: n }, () => `cm-${pad((seed = (seed * 1103515245 + 12345) % 2 ** 31) % population)}`);
    const cpu = await cpuStart(pid);
    const r = await closedLoop(n, concurrency, 200, async (i) => (await send(creds, agent, 'GET', `${cmPath(ns)}/${names[i]}`)).status);
    return { ...r, cpu: await cpu() };
  } finally {
    agent.destroy();
  }
}

interface ListResult {
  objects: number;
  runs: number;
  /** Latency of one complete list (all pages when paged). */
  latency: Stats;
  /** Paged only: latency of the individual pages. */
  pageLatency?: Stats;
  pagesPerList?: number;
  bytesPerList: number;
  cpu: CpuSample;
  errors: string[];
}

async function lists(creds: Credentials, pid: number, ns: string, expected: number, runs: number, pageSize?: number): Promise<ListResult> {
  const agent = keepAliveAgent(creds, 1);
  const errors: string[] = [];
  const latencies: number[] = [];
  const pageLatencies: number[] = [];
  let bytes = 0;
  let pages = 0;
  let cpu: () => Promise<CpuSample> = async () => ({ serverMs: 0, clientMs: 0, wallMs: 0 });
  try {
    // One unmeasured run first (warm-up), then `runs` measured ones. Bodies are parsed outside the timed section.
    for (let run = -1; run < runs; run++) {
      if (run === 0) cpu = await cpuStart(pid);
      let total = 0;
      let items = 0;
      let size = 0;
      let n = 0;
      let token: string | undefined;
      do {
        const q = pageSize ? `?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}` : '';
        const r = await send(creds, agent, 'GET', cmPath(ns) + q);
        total += r.ms;
        n++;
        if (run >= 0) pageLatencies.push(r.ms);
        size += r.body.length;
        if (r.status !== 200) {
          errors.push(`list ${ns}${q}: ${r.status} ${r.body.subarray(0, 200)}`);
          break;
        }
        const list = JSON.parse(r.body.toString('utf8'));
        items += list.items.length;
        token = list.metadata?.continue || undefined;
      } while (token);
      if (items !== expected) errors.push(`list ${ns}: ${items} items, expected ${expected}`);
      if (run >= 0) {
        latencies.push(total);
        bytes = size;
        pages = n;
      }
    }
    return {
      objects: expected,
      runs,
      latency: stats(latencies),
      ...(pageSize ? { pageLatency: stats(pageLatencies), pagesPerList: pages } : {}),
      bytesPerList: bytes,
      cpu: await cpu(),
      errors,
    };
  } finally {
    agent.destroy();
  }
}

interface WatchResult {
  watchers: number;
  events: number;
  targetRate: number;
  achievedRate: number;
  expectedDeliveries: number;
  delivered: number;
  duplicates: number;
  unexpectedLines: number;
  nonOkWatchers: number;
  createErrors: Record<string, number>;
  /** Create request latency during the fan-out. */
  createLatency: Stats;
  /** From sending the create to a watcher parsing the ADDED event. */
  fromSend: Stats;
  /** From the create's 201 (last byte) to a watcher parsing the ADDED event; negative when the event came first. */
  from201: Stats;
  eventsBefore201: number;
  /** From the first create sent to the last event delivered. */
  drainMs: number;
  /**
   * Event-loop stall (beyond the 5 ms sampling interval) and GC of the benchmark process itself during the fan-out
   * (it parses every event).
   */
  clientLoopDelay: { p99Ms: number; maxMs: number; gcMaxMs: number; gcTotalMs: number };
  /** The apiserver's event-loop lag and GC time during the fan-out. */
  serverLoop: ServerLoop;
  /** The five slowest creates: index, ms after the first create was sent, latency. */
  slowestCreates: { i: number; atMs: number; ms: number }[];
  cpu: CpuSample;
}

async function watchFanOut(creds: Credentials, pid: number, ns: string, watchers: number, events: number, rate: number): Promise<WatchResult> {
  const agent = keepAliveAgent(creds, 32);
  await createNamespace(creds, agent, ns);
  const start = await send(creds, agent, 'GET', `${cmPath(ns)}?limit=1`);
  if (start.status !== 200) throw new Error(`list ${ns}: ${start.status}`);
  const rv = JSON.parse(start.body.toString('utf8')).metadata.resourceVersion as string;

  const sendAt = new Float64Array(events).fill(NaN);
  const doneAt = new Float64Array(events).fill(NaN);
  const recvAt = new Float64Array(watchers * events).fill(NaN);
  let delivered = 0;
  let duplicates = 0;
  let unexpectedLines = 0;
  let nonOkWatchers = 0;
  let lastDelivery = 0;
  let allDelivered: () => void = () => {};
  const everything = new Promise<void>((r) => (allDelivered = r));
  const expected = watchers * events;
  const nameRe = /"name":"w-(\d+)"/;
  // Untimed warm-up events: every watcher must have received all of them before the measured creates start.
  const WARMUP_EVENTS = 20;
  const warmedUp = new Uint16Array(watchers);
  let watchersWarm = 0;
  let allWarm: () => void = () => {};
  const warm = new Promise<void>((r) => (allWarm = r));

  const reqs: ClientRequest[] = [];
  for (let w = 0; w < watchers; w++) {
    const base = w * events;
    const req = request(requestOptions(creds, false, 'GET', `${cmPath(ns)}?watch=true&resourceVersion=${rv}`), (res) => {
      if (res.statusCode !== 200) nonOkWatchers++;
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const now = performance.now();
        buf += chunk;
        let nl: number;
        let from = 0;
        while ((nl = buf.indexOf('\n', from)) >= 0) {
          const line = buf.slice(from, nl);
          from = nl + 1;
          const m = line.startsWith('{"type":"ADDED"') ? nameRe.exec(line) : null;
          if (!m) {
            if (line.includes('"name":"warmup-')) {
              if (++warmedUp[w] === WARMUP_EVENTS && ++watchersWarm === watchers) allWarm();
            } else if (line.trim()) unexpectedLines++;
            continue;
          }
          const i = Number(m[1]);
          if (!Number.isNaN(recvAt[base + i])) {
            duplicates++;
            continue;
          }
          recvAt[base + i] = now;
          lastDelivery = now;
          if (++delivered === expected) allDelivered();
        }
        buf = buf.slice(from);
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
    req.end();
    reqs.push(req);
  }
  const bodies = Array.from({ length: events }, (_, i) => configMap(ns, `w-${pad(i)}`));
  try {
    // Warm-up: a few untimed creates that every watcher must see, so that all TLS handshakes, subscriptions and the
    // servers' first watch writes are done before timing starts. (Events after rv are replayed, so none is lost.)
    for (let i = 0; i < WARMUP_EVENTS; i++) {
      const r = await send(creds, agent, 'POST', cmPath(ns), configMap(ns, `warmup-${i}`));
      if (r.status !== 201) throw new Error(`watch warm-up create: ${r.status} ${r.body}`);
      await sleep(20);
    }
    const warmTimeout = sleep(30_000).then(() => 'timeout' as const);
    if ((await Promise.race([warm, warmTimeout])) === 'timeout') {
      throw new Error(`watch warm-up: only ${watchersWarm} of ${watchers} watchers received all ${WARMUP_EVENTS} warm-up events in 30 s`);
    }
    await sleep(200);

    const gcBefore = (await scrapeServer(creds, agent)).gcMs;
    const cpu = await cpuStart(pid);
    const LOOP_RESOLUTION_MS = 5;
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    let gcMaxMs = 0;
    let gcTotalMs = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMaxMs = Math.max(gcMaxMs, e.duration);
        gcTotalMs += e.duration;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const createErrors: Record<string, number> = {};
    const createLatency = new Float64Array(events).fill(NaN);
    const maxInflight = 32;
    let inflight = 0;
    let slot: () => void = () => {};
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    const interval = 1000 / rate;
    for (let i = 0; i < events; i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 1) await sleep(wait);
      while (inflight >= maxInflight) await new Promise<void>((r) => (slot = r));
      inflight++;
      sendAt[i] = performance.now();
      pending.push(
        send(creds, agent, 'POST', cmPath(ns), bodies[i])
          .then((r) => {
            doneAt[i] = r.endAt;
            createLatency[i] = r.ms;
            if (r.status !== 201) createErrors[r.status] = (createErrors[r.status] ?? 0) + 1;
          })
          .catch((err) => {
            const k = `ERR ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
            createErrors[k] = (createErrors[k] ?? 0) + 1;
          })
          .finally(() => {
            inflight--;
            slot();
          }),
      );
    }
    await Promise.all(pending);
    const achievedRate = (events * 1000) / (performance.now() - t0);
    // Let delivery finish: up to 30 s after the last create.
    await Promise.race([everything, sleep(30_000)]);
    const cpuUsed = await cpu();
    loop.disable();
    gcObserver.disconnect();
    const serverLoop = await scrapeServer(creds, agent);
    serverLoop.gcMs -= gcBefore;

    const fromSend: number[] = [];
    const from201: number[] = [];
    let before = 0;
    for (let w = 0; w < watchers; w++) {
      for (let i = 0; i < events; i++) {
        const t = recvAt[w * events + i];
        if (Number.isNaN(t)) continue;
        fromSend.push(t - sendAt[i]);
        if (!Number.isNaN(doneAt[i])) {
          from201.push(t - doneAt[i]);
          if (t < doneAt[i]) before++;
        }
      }
    }
    return {
      watchers,
      events,
      targetRate: rate,
      achievedRate,
      expectedDeliveries: expected,
      delivered,
      duplicates,
      unexpectedLines,
      nonOkWatchers,
      createErrors,
      createLatency: stats(createLatency.filter((x) => !Number.isNaN(x))),
      fromSend: stats(fromSend),
      from201: stats(from201),
      eventsBefore201: before,
      drainMs: lastDelivery ? lastDelivery - t0 : NaN,
      clientLoopDelay: {
        p99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
        maxMs: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
        gcMaxMs,
        gcTotalMs,
      },
      serverLoop,
      slowestCreates: Array.from(createLatency, (ms, i) => ({ i, atMs: Math.round(sendAt[i] - t0), ms: Math.round(ms * 10) / 10 }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5),
      cpu: cpuUsed,
    };
  } finally {
    for (const r of reqs) r.destroy();
    agent.destroy();
  }
}

interface StorageResult {
  concurrency: number;
  objects: number;
  storageWrites: WriteBenchResult;
  levelPuts: WriteBenchResult;
}

/** Lists of 10,000 objects the size of a Work in pages of 500, four at once, while each turn of the loop takes 20 ms. */
const STORAGE_LIST: ListBenchOptions = { objects: 10_000, objectBytes: 2_500, pageSize: 500, lists: 12, concurrency: 4, busyTurnMs: 20 };

async function storageList(): Promise<ListBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-list-'));
  try {
    return await benchStorageList(dir, STORAGE_LIST);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function storageCeiling(objects: KObject[], concurrency: number): Promise<StorageResult> {
  const d1 = await mkdtemp(join(tmpdir(), 'flotilla-bench-store-'));
  const d2 = await mkdtemp(join(tmpdir(), 'flotilla-bench-level-'));
  try {
    const storageWrites = await benchStorageWrites(d1, objects, concurrency);
    const levelPuts = await benchLevelPuts(d2, objects, concurrency);
    return { concurrency, objects: objects.length, storageWrites, levelPuts };
  } finally {
    await rm(d1, { recursive: true, force: true });
    await rm(d2, { recursive: true, force: true });
  }
}

// --- output ---------------------------------------------------------------------------------------------------------

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const fi = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const errs = (e: Record<string, number>) => {
  const s = Object.entries(e).map(([k, v]) => `${v}× ${k}`).join(', ');
  return s ? `errors: ${s}` : '';
};
const cpuNote = (c: CpuSample, ops: number) =>
  `server CPU ${f(c.serverMs / ops, 2)} ms/op (${f((100 * c.serverMs) / c.wallMs, 0)}% of a core, all threads), client ${f((100 * c.clientMs) / c.wallMs, 0)}%`;

function markdown(r: Results): string {
  const rows: string[][] = [];
  const c1 = r.creates.c1;
  const c32 = r.creates.c32;
  rows.push([`create ConfigMap (1 KiB), c=1`, fi(c1.count), fi(c1.opsPerSec), f(c1.p50Ms, 2), f(c1.p99Ms, 2), [cpuNote(c1.cpu, c1.count), errs(c1.errors)].filter(Boolean).join('; ')]);
  rows.push([`create ConfigMap (1 KiB), c=32`, fi(c32.count), fi(c32.opsPerSec), f(c32.p50Ms, 2), f(c32.p99Ms, 2), [cpuNote(c32.cpu, c32.count), errs(c32.errors)].filter(Boolean).join('; ')]);
  const g = r.gets;
  rows.push([`get ConfigMap, c=32`, fi(g.count), fi(g.opsPerSec), f(g.p50Ms, 2), f(g.p99Ms, 2), [cpuNote(g.cpu, g.count), errs(g.errors)].filter(Boolean).join('; ')]);
  for (const l of r.lists) {
    const paged = l.pagesPerList !== undefined;
    const name = `list ${fi(l.objects)} ConfigMaps, ${paged ? `limit=${r.config.pageSize} (${l.pagesPerList} pages)` : 'full JSON'}`;
    const note = [
      `${f(l.bytesPerList / 1048576, 1)} MiB/list`,
      paged ? `per page P50 ${f(l.pageLatency!.p50Ms)} / P99 ${f(l.pageLatency!.p99Ms)} ms` : '',
      `server CPU ${f(l.cpu.serverMs / l.runs, 0)} ms/list`,
      l.errors.length ? `errors: ${l.errors.length}` : '',
    ].filter(Boolean).join('; ');
    rows.push([name, fi(l.runs), f(1000 / l.latency.meanMs, 1), f(l.latency.p50Ms), f(l.latency.p99Ms), note]);
  }
  const w = r.watch;
  const missing = w.expectedDeliveries - w.delivered;
  rows.push([
    `watch fan-out: ${w.watchers} watchers × ${fi(w.events)} creates, event latency from send`,
    fi(w.delivered),
    fi((w.delivered * 1000) / w.drainMs),
    f(w.fromSend.p50Ms, 2),
    f(w.fromSend.p99Ms, 2),
    [
      `delivered ${fi(w.delivered)}/${fi(w.expectedDeliveries)}${missing ? ` (**${fi(missing)} MISSING**)` : ' (all)'}`,
      `creates at ${f(w.achievedRate, 0)}/s (target ${w.targetRate}/s)`,
      w.duplicates ? `${w.duplicates} duplicates` : '',
      w.unexpectedLines ? `${w.unexpectedLines} unexpected lines` : '',
      w.nonOkWatchers ? `${w.nonOkWatchers} watchers not 200` : '',
      errs(w.createErrors),
    ].filter(Boolean).join('; '),
  ]);
  rows.push([
    `watch fan-out, event latency from the create's 201`,
    fi(w.from201.count),
    '',
    f(w.from201.p50Ms, 2),
    f(w.from201.p99Ms, 2),
    [
      `${fi(w.eventsBefore201)} events arrived before their 201`,
      `create P50 ${f(w.createLatency.p50Ms, 2)} / P99 ${f(w.createLatency.p99Ms, 2)} ms`,
      cpuNote(w.cpu, w.events),
      `worst event-loop stall: server ${f(w.serverLoop.lagMaxMs, 0)} ms, client ${f(w.clientLoopDelay.maxMs, 0)} ms`,
      `GC: server ${f(w.serverLoop.gcMs, 0)} ms total, client ${f(w.clientLoopDelay.gcTotalMs, 0)} ms total (max pause ${f(w.clientLoopDelay.gcMaxMs, 0)} ms)`,
    ].join('; '),
  ]);
  for (const s of r.storage) {
    const http = s.concurrency === 1 ? c1 : c32;
    rows.push([`storage: LevelStore.create, c=${s.concurrency}`, fi(s.objects), fi(s.storageWrites.opsPerSec), f(s.storageWrites.p50Ms, 3), f(s.storageWrites.p99Ms, 3), `HTTP ÷ storage = ${f(http.opsPerSec / s.storageWrites.opsPerSec, 3)}`]);
    rows.push([`storage: classic-level put, c=${s.concurrency}`, fi(s.objects), fi(s.levelPuts.opsPerSec), f(s.levelPuts.p50Ms, 3), f(s.levelPuts.p99Ms, 3), `HTTP ÷ put = ${f(http.opsPerSec / s.levelPuts.opsPerSec, 3)}`]);
  }
  const l = r.storageList;
  rows.push([
    `storage: LevelStore list of ${fi(STORAGE_LIST.objects)} objects (${fi(STORAGE_LIST.objectBytes)} B), limit=${STORAGE_LIST.pageSize}, ${STORAGE_LIST.concurrency} at once, event loop busy ${STORAGE_LIST.busyTurnMs} ms a turn`,
    fi(STORAGE_LIST.lists),
    '',
    '',
    '',
    `${f(l.msPerList, 0)} ms per list (mean); ${f(l.turnsPerList, 0)} turns of the event loop per list`,
  ]);
  rows.push([`apiserver RSS at end`, '', '', '', '', `VmRSS ${fi(r.serverMemory.vmRSSKiB / 1024)} MiB, VmHWM (peak) ${fi(r.serverMemory.vmHWMKiB / 1024)} MiB`]);

  const header = ['Measurement', 'N', 'ops/s', 'P50 ms', 'P99 ms', 'Notes'];
  const lines = [header, header.map((h) => (h === 'Measurement' || h === 'Notes' ? '---' : '---:')), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

interface Results {
  timestamp: string;
  config: Config;
  machine: { nproc: number; cpuModel: string; node: string; platform: string };
  totalSeconds: number;
  creates: { c1: PhaseResult; c32: PhaseResult };
  gets: PhaseResult;
  lists: ListResult[];
  watch: WatchResult;
  serverMemory: { vmRSSKiB: number; vmHWMKiB: number };
  storage: StorageResult[];
  storageList: ListBenchResult;
  ratios: { httpOverStorageC1: number; httpOverStorageC32: number };
  serverOutput: string;
  problems: string[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: true });
  const config = CONFIGS[values.quick ? 'quick' : 'default'];
  const began = performance.now();
  const log = (msg: string) => process.stderr.write(`[bench ${f((performance.now() - began) / 1000, 1)}s] ${msg}\n`);

  const server = await APIServerProcess.start();
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    void server.destroy().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let partial: Omit<Results, 'storage' | 'storageList' | 'ratios' | 'totalSeconds' | 'problems'>;
  try {
    const pid = server.proc!.pid!;
    const creds = await loadCredentials(server.dataDir, server.port);
    log(`apiserver pid ${pid} on ${server.url}; mode ${config.mode}`);
    const admin = keepAliveAgent(creds, 4);
    for (const ns of ['bench-warmup', 'bench-small', 'bench-large']) await createNamespace(creds, admin, ns);
    admin.destroy();

    log(`warm-up: ${config.warmup} creates + gets`);
    await creates(creds, pid, 'bench-warmup', config.warmup, 8);
    await gets(creds, pid, 'bench-warmup', config.warmup, config.warmup, 8);

    log(`creates c=1 × ${config.creates1}`);
    const c1 = await creates(creds, pid, 'bench-small', config.creates1, 1);
    log(`creates c=32 × ${config.creates32}`);
    const c32 = await creates(creds, pid, 'bench-large', config.creates32, 32);
    log(`gets c=32 × ${config.gets}`);
    const g = await gets(creds, pid, 'bench-large', config.creates32, config.gets, 32);
    const listResults: ListResult[] = [];
    for (const [ns, n] of [['bench-small', config.creates1], ['bench-large', config.creates32]] as const) {
      log(`lists of ${n}: full × ${config.listRuns}`);
      listResults.push(await lists(creds, pid, ns, n, config.listRuns));
      log(`lists of ${n}: limit=${config.pageSize} × ${config.listRuns}`);
      listResults.push(await lists(creds, pid, ns, n, config.listRuns, config.pageSize));
    }
    log(`watch fan-out: ${config.watchers} watchers × ${config.watchEvents} creates at ${config.watchRate}/s`);
    const w = await watchFanOut(creds, pid, 'bench-watch', config.watchers, config.watchEvents, config.watchRate);
    await sleep(200);
    const serverMemory = await procStatus(pid);
    partial = {
      timestamp: new Date().toISOString(),
      config,
      machine: { nproc: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}/${process.arch}` },
      creates: { c1, c32 },
      gets: g,
      lists: listResults,
      watch: w,
      serverMemory,
      serverOutput: '',
    };
  } finally {
    await server.stop('SIGTERM').catch(() => {});
    await server.destroy();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  partial.serverOutput = server.output.slice(-4000);

  // The storage ceiling, with the apiserver gone so the two do not share the CPU.
  const objects1 = Array.from({ length: config.creates1 }, (_, i) => JSON.parse(configMap('bench-small', `cm-${pad(i)}`)) as KObject);
  const objects32 = Array.from({ length: config.creates32 }, (_, i) => JSON.parse(configMap('bench-large', `cm-${pad(i)}`)) as KObject);
  log(`storage ceiling c=1 × ${objects1.length}`);
  const s1 = await storageCeiling(objects1, 1);
  log(`storage ceiling c=32 × ${objects32.length}`);
  const s32 = await storageCeiling(objects32, 32);
  log(`storage list: ${STORAGE_LIST.lists} lists of ${STORAGE_LIST.objects} objects, ${STORAGE_LIST.concurrency} at once, with a busy event loop`);
  const storageListResult = await storageList();

  const problems: string[] = [];
  const { c1, c32 } = partial.creates;
  for (const [name, e] of [['creates c=1', c1.errors], ['creates c=32', c32.errors], ['gets', partial.gets.errors], ['watch creates', partial.watch.createErrors]] as const) {
    if (Object.keys(e).length) problems.push(`${name}: ${errs(e)}`);
  }
  for (const l of partial.lists) problems.push(...l.errors);
  const w = partial.watch;
  if (w.delivered !== w.expectedDeliveries) problems.push(`watch: delivered ${w.delivered} of ${w.expectedDeliveries} events`);
  if (w.duplicates) problems.push(`watch: ${w.duplicates} duplicate events`);
  if (w.nonOkWatchers) problems.push(`watch: ${w.nonOkWatchers} watchers did not get 200`);
  if (w.unexpectedLines) problems.push(`watch: ${w.unexpectedLines} unexpected lines`);
  if (partial.serverOutput.trim()) problems.push(`apiserver wrote ${partial.serverOutput.trim().split('\n').length} log lines at warn level or above`);

  const results: Results = {
    ...partial,
    storage: [s1, s32],
    storageList: storageListResult,
    ratios: { httpOverStorageC1: c1.opsPerSec / s1.storageWrites.opsPerSec, httpOverStorageC32: c32.opsPerSec / s32.storageWrites.opsPerSec },
    totalSeconds: (performance.now() - began) / 1000,
    problems,
  };
  await mkdir(join(RESULTS, '..'), { recursive: true });
  await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');

  const m = results.machine;
  console.log(`## apiserver benchmark (${config.mode})\n`);
  console.log(`${m.nproc} CPUs (${m.cpuModel}), Node ${m.node}, ${m.platform}; total ${f(results.totalSeconds, 0)} s\n`);
  console.log(markdown(results));
  console.log(
    `\nHTTP creates/s ÷ LevelStore creates/s: c=1 ${f(results.ratios.httpOverStorageC1, 3)}, c=32 ${f(results.ratios.httpOverStorageC32, 3)}`,
  );
  if (problems.length) console.log(`\n**Problems:**\n${problems.map((p) => `- ${p}`).join('\n')}`);
  console.log(`\nJSON: ${RESULTS}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

// `node dist/bench/members.js [--members 100] [--frequency 10s] [--steady 30]`: how long N simulated members take to
// join and become Ready, and what they cost. Starts a real apiserver, a `flotilla members --count N` process and a
// controller-manager (Karmada's default timings unless --frequency), joins every member with joinCluster (what
// `flotilla join` runs) one after the other, as `flotilla up --demo-members` does (concurrent joins conflict on the
// karmada-cluster namespace each of them re-applies), and watches the Clusters until each one is Ready. Then it measures a steady
// period (probes only: no Cluster should be written) and the processes' memory, with a one-member process as the
// baseline for the members process's cost per member.
// Output: a Markdown table on stdout and JSON in bench/results/members-latest.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { joinCluster } from '../cli/join.js';
import { InformerFactory } from '../controllers/runtime/informer.js';
import { CLUSTERS_PATH } from '../controllers/runtime/memberclient.js';
import { APIServerProcess, CLI, freePort, tempDir } from '../e2e/harness.js';
import type { Cluster } from '../openapi/karmada/types.js';
import { sleep, stats } from './client.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/members-latest.json', import.meta.url));

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function rssKiB(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN);
}

/** utime+stime of a process in milliseconds (USER_HZ 100). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

class Child {
  output = '';
  readonly proc: ChildProcess;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => (this.output += d));
    this.proc.stderr!.on('data', (d) => (this.output += d));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

/** A members process with count members, once every kubeconfig is written; with the time that took. */
async function startMembers(dir: string, count: number): Promise<{ child: Child; startupMs: number; port: number }> {
  const port = await freePort();
  const started = Date.now();
  const child = new Child(['members', '--count', String(count), '--data-dir', dir, '--port', String(port), '--log-level', 'warn']);
  await until(`${count} members`, () => child.output.split('\n').filter((l) => l.includes('\t')).length >= count, 300_000);
  return { child, startupMs: Date.now() - started, port };
}

function httpOK(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}

const isReady = (c: Cluster) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { members: { type: 'string', default: '100' }, frequency: { type: 'string', default: '10s' }, steady: { type: 'string', default: '30' } } });
  const n = Number(values.members);
  const steadyMs = Number(values.steady) * 1000;
  const server = await APIServerProcess.start();
  const membersDir = await tempDir('flotilla-bench-members-');
  const baselineDir = await tempDir('flotilla-bench-member-');
  const children: Child[] = [];
  const informers = new InformerFactory((() => {
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    return kc;
  })(), pino({ level: 'silent' }));
  try {
    log('baseline: one member');
    const baseline = await startMembers(baselineDir, 1);
    children.push(baseline.child);
    await sleep(2000);
    const baselineRss = await rssKiB(baseline.child.pid);
    await baseline.child.stop();

    log(`starting ${n} members`);
    const members = await startMembers(membersDir, n);
    children.push(members.child);
    await sleep(2000);
    const membersIdleRss = await rssKiB(members.child.pid);

    const cmPort = await freePort();
    const cm = new Child(['controller-manager', '--kubeconfig', server.kubeconfig, '--port', String(cmPort), '--leader-elect=false', '--log-level', 'warn', '--cluster-status-update-frequency', values.frequency!]);
    children.push(cm);
    await until('controller-manager ready', () => httpOK(cmPort, '/readyz'), 60_000);

    const clusters = informers.forResource<Cluster & { metadata: { name: string } }>(CLUSTERS_PATH);
    const readyAt = new Map<string, number>();
    let writes = 0;
    const observe = (c: Cluster) => {
      writes++;
      if (isReady(c) && !readyAt.has(c.metadata!.name)) readyAt.set(c.metadata!.name, Date.now());
    };
    clusters.addEventHandler({ add: observe, update: observe });
    await clusters.waitForSync();

    log(`joining ${n} members`);
    const names = Array.from({ length: n }, (_, k) => `member${k + 1}`);
    const joinedAt = new Map<string, number>();
    const t0 = Date.now();
    for (const name of names) {
      await joinCluster({ name, clusterKubeconfig: join(membersDir, name, 'admin.kubeconfig'), kubeconfig: server.kubeconfig });
      joinedAt.set(name, Date.now());
    }
    const joinMs = Date.now() - t0;
    await until(`all ${n} clusters Ready`, () => readyAt.size === n, 600_000);
    const allReadyMs = Math.max(...readyAt.values()) - t0;
    const perCluster = stats(names.map((m) => readyAt.get(m)! - joinedAt.get(m)!));

    log(`all Ready after ${allReadyMs} ms; steady state for ${steadyMs / 1000} s`);
    // Let the joins' last writes (taints removed on Ready) land before counting.
    await sleep(Math.min(5000, steadyMs));
    const pids = { apiserver: server.proc!.pid!, controllerManager: cm.pid, members: members.child.pid };
    const cpuBefore = { apiserver: await cpuMs(pids.apiserver), controllerManager: await cpuMs(pids.controllerManager), members: await cpuMs(pids.members) };
    const writesBefore = writes;
    await sleep(steadyMs);
    const cpu = {
      apiserver: ((await cpuMs(pids.apiserver)) - cpuBefore.apiserver) / steadyMs,
      controllerManager: ((await cpuMs(pids.controllerManager)) - cpuBefore.controllerManager) / steadyMs,
      members: ((await cpuMs(pids.members)) - cpuBefore.members) / steadyMs,
    };
    const steadyWrites = writes - writesBefore;
    const rss = { apiserver: await rssKiB(pids.apiserver), controllerManager: await rssKiB(pids.controllerManager), members: await rssKiB(pids.members) };

    const result = {
      date: new Date().toISOString(),
      members: n,
      statusUpdateFrequency: values.frequency,
      membersStartupMs: members.startupMs,
      joinMs,
      allReadyMs,
      joinToReadyMs: perCluster,
      steady: { seconds: steadyMs / 1000, clusterWrites: steadyWrites, cpuFractionOfCore: cpu },
      rssKiB: { ...rss, membersIdle: membersIdleRss, oneMemberBaseline: baselineRss },
      membersRssPerMemberKiB: { total: rss.members / n, marginal: (rss.members - baselineRss) / (n - 1), marginalIdle: (membersIdleRss - baselineRss) / (n - 1) },
    };
    await mkdir(join(RESULTS, '..'), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
    process.stdout.write(
      [
        `| Measurement (${n} members, status every ${values.frequency}) | Value |`,
        '| --- | ---: |',
        `| members process startup (${n} members, kubeconfigs written) | ${(members.startupMs / 1000).toFixed(1)} s |`,
        `| join all (joinCluster, one after the other) | ${(joinMs / 1000).toFixed(1)} s |`,
        `| first join to all Ready | ${(allReadyMs / 1000).toFixed(1)} s |`,
        `| join to Ready per cluster, P50 / P99 / max | ${(perCluster.p50Ms / 1000).toFixed(2)} / ${(perCluster.p99Ms / 1000).toFixed(2)} / ${(perCluster.maxMs / 1000).toFixed(2)} s |`,
        `| Cluster writes in ${steadyMs / 1000} s of steady state | ${steadyWrites} |`,
        `| steady CPU (share of one core): controller-manager / apiserver / members | ${pct(cpu.controllerManager)} / ${pct(cpu.apiserver)} / ${pct(cpu.members)} |`,
        `| RSS: controller-manager / apiserver | ${mib(rss.controllerManager)} / ${mib(rss.apiserver)} MiB |`,
        `| members process RSS: 1 member / ${n} idle / ${n} joined | ${mib(baselineRss)} / ${mib(membersIdleRss)} / ${mib(rss.members)} MiB |`,
        `| members process RSS per member (marginal, joined) | ${mib(result.membersRssPerMemberKiB.marginal)} MiB |`,
        '',
      ].join('\n'),
    );
  } finally {
    await informers.stop();
    for (const c of children.reverse()) await c.stop();
    await server.destroy();
    for (const d of [membersDir, baselineDir]) if (existsSync(d)) await rm(d, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

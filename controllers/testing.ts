// A fixture for controller tests against real processes: an apiserver and, for tests that reach members, a `flotilla
// members` process whose members are joined and marked Ready by hand, as the cluster status controller would. The
// controllers under test run in the test's process on the admin kubeconfig; the members are observed through their
// own kubeconfigs. One fleet per test file: start it in `before`, stop it in `after`. (e2e/fleet.ts runs the
// controllers as processes instead.)
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import { joinCluster } from '../cli/join.js';
import { until } from '../e2e/fleet.js';
import { APIServerProcess, CLI, freePort, tempDir } from '../e2e/harness.js';
import { loadClients, type Clients } from './runtime/client.js';
import type { ControllerContext } from './runtime/controller.js';
import { EventBroadcaster } from './runtime/events.js';
import { InformerFactory } from './runtime/informer.js';
import { ComponentMetrics } from './runtime/metrics.js';

export const WORKS = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };

export interface ControllerFleetOptions {
  /** Simulated members, named member1..memberN, each with its execution namespace karmada-es-NAME (default 2). */
  members?: number;
  /** Namespaces to create on the control plane besides the members' execution namespaces. */
  namespaces?: string[];
}

export interface ControllerFleet {
  server: APIServerProcess;
  clients: Clients;
  memberNames: string[];
  /** A context for controllers started by the test: they stop when signal aborts, by default when the fleet stops. */
  context(signal?: AbortSignal): ControllerContext;
  memberConfig(member: string): k8s.KubeConfig;
  memberApps(member: string): k8s.AppsV1Api;
  /** The Deployment in a member, undefined when it is not there. */
  memberDeployment(member: string, name: string, namespace?: string): Promise<k8s.V1Deployment | undefined>;
  /** The Work in a member's execution namespace, undefined when it is not there. */
  getWork(member: string, name: string): Promise<any | undefined>;
  /** A Work as the binding controller would leave it, with one manifest. */
  createWork(member: string, name: string, manifest: object, metadata?: Record<string, unknown>, spec?: Record<string, unknown>): Promise<void>;
  /** Takes a member off the network (or back) through the members process's admin API. */
  setOnline(member: string, online: boolean): Promise<void>;
  /** Polls probe (errors count as "not yet") until it returns a value; the deadline only keeps a broken build from hanging the suite. */
  until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export function deploymentManifest(name: string, replicas: number, extra: { namespace?: string; annotations?: Record<string, string>; image?: string } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: extra.namespace ?? 'default', labels: { app: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export async function startControllerFleet(opts: ControllerFleetOptions = {}): Promise<ControllerFleet> {
  const memberNames = Array.from({ length: opts.members ?? 2 }, (_, k) => `member${k + 1}`);
  const stopping = new AbortController();
  const memberConfigs = new Map<string, k8s.KubeConfig>();
  const memberApps = new Map<string, k8s.AppsV1Api>();
  let server: APIServerProcess | undefined;
  let membersDir: string | undefined;
  let membersPort = 0;
  let members: ChildProcess | undefined;
  let membersOutput = '';
  let informers: InformerFactory | undefined;

  const poll = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) =>
    until(what, probe, { timeoutMs, intervalMs: 100, detail: () => (membersOutput ? `\n${membersOutput.slice(-2000)}` : '') });

  const stop = async () => {
    stopping.abort();
    await informers?.stop();
    const proc = members;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await server?.destroy();
    if (membersDir) await rm(membersDir, { recursive: true, force: true });
  };

  try {
    server = await APIServerProcess.start();
    if (memberNames.length) {
      membersDir = await tempDir('flotilla-members-');
      membersPort = await freePort();
      members = spawn(process.execPath, [CLI, 'members', '--count', String(memberNames.length), '--data-dir', membersDir, '--port', String(membersPort), '--log-level', 'warn'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      members.stdout!.on('data', (d) => (membersOutput += d));
      members.stderr!.on('data', (d) => (membersOutput += d));
    }
    const clients = loadClients(server.kubeconfig);
    for (const name of [...(opts.namespaces ?? []), ...memberNames.map((m) => `karmada-es-${m}`)]) await clients.core.createNamespace({ body: { metadata: { name } } });
    for (const m of memberNames) {
      const file = join(membersDir!, m, 'admin.kubeconfig');
      // The kubeconfigs are written before the members serve; the process lists them once every member does.
      await poll(`${m}'s kubeconfig`, async () => (existsSync(file) && membersOutput.includes(`${memberNames.at(-1)}\t`) ? true : undefined));
      await joinCluster({ name: m, clusterKubeconfig: file, kubeconfig: server.kubeconfig });
      await clients.customObjects.patchClusterCustomObjectStatus(
        {
          group: 'cluster.karmada.io',
          version: 'v1alpha1',
          plural: 'clusters',
          name: m,
          body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(file);
      memberConfigs.set(m, kc);
      memberApps.set(m, kc.makeApiClient(k8s.AppsV1Api));
    }
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const factory = new InformerFactory(clients.kc, logger, { initialMs: 100, maxMs: 1000 });
    informers = factory;

    return {
      server,
      clients,
      memberNames,
      context: (signal = stopping.signal) => ({ informers: factory, client: clients, logger, metrics: new ComponentMetrics(), events: new EventBroadcaster(clients.kc, logger), signal }),
      memberConfig: (member) => memberConfigs.get(member)!,
      memberApps: (member) => memberApps.get(member)!,
      memberDeployment: (member, name, namespace = 'default') => orUndefined(memberApps.get(member)!.readNamespacedDeployment({ name, namespace })),
      getWork: (member, name) => orUndefined(clients.customObjects.getNamespacedCustomObject({ ...WORKS, namespace: `karmada-es-${member}`, name })),
      async createWork(member, name, manifest, metadata = {}, spec = {}) {
        await clients.customObjects.createNamespacedCustomObject({
          ...WORKS,
          namespace: `karmada-es-${member}`,
          body: { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', metadata: { name, ...metadata }, spec: { workload: { manifests: [manifest] }, ...spec } },
        });
      },
      async setOnline(member, online) {
        const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(membersDir!, 'pki', f))));
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: membersPort, path: `/members/${member}/online`, method: 'PUT', ca, cert, key, servername: 'localhost' }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', reject);
          req.end(String(online));
        });
        assert.equal(status, 204);
      },
      until: poll,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

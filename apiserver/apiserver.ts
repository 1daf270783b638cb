// Assembles and runs the apiserver: PKI, storage, the resource table, admission, the HTTP layer and the in-process
// controllers (garbage collector, namespace lifecycle).
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { LevelStore } from '../storage/leveldb.js';
import type { Store } from '../storage/store.js';
import { SchemaRegistry } from '../openapi/schemas.js';
import { AdmissionChain } from './admission/chain.js';
import { defaulting } from './admission/defaults.js';
import { namespaceLifecycle } from './admission/namespacelifecycle.js';
import { Authenticator, httpsServerOptions, loadTokenFile } from './auth/authn.js';
import { writeKubeconfig } from './auth/kubeconfig.js';
import { ensurePKI, type PKI } from './auth/pki.js';
import { APIError } from './errors.js';
import { GarbageCollector } from './gc/garbagecollector.js';
import { createHTTPServer } from './http/server.js';
import { APIServerMetrics } from './metrics.js';
import { NamespaceController } from './namespace/controller.js';
import { BUILTIN_RESOURCES } from './registry/builtin.js';
import { Registry } from './registry/registry.js';

export const KUBERNETES_VERSION = { major: '1', minor: '35', gitVersion: 'v1.35.0-flotilla' };

export interface APIServerOptions {
  dataDir: string;
  port: number;
  bindAddress?: string;
  /** Extra names and addresses for the serving certificate. */
  extraSANs?: string[];
  /** A static token file in kube's CSV format. */
  tokenAuthFile?: string;
  logger?: Logger;
  logLevel?: string;
  bookmarkIntervalMs?: number;
  historyCount?: number;
  historyAgeMs?: number;
}

export interface RunningAPIServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  pki: PKI;
  registry: Registry;
  store: Store;
  app: FastifyInstance;
  close(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export async function startAPIServer(opts: APIServerOptions): Promise<RunningAPIServer> {
  const logger = opts.logger ?? pino({ level: opts.logLevel ?? 'info' });
  await mkdir(opts.dataDir, { recursive: true });
  const pki = await ensurePKI(opts.dataDir, { extraSANs: opts.extraSANs });
  const store = await LevelStore.open(join(opts.dataDir, 'store'), { logger, historyCount: opts.historyCount, historyAgeMs: opts.historyAgeMs });
  const registry = new Registry(store);
  registry.add(...BUILTIN_RESOURCES);
  const schemas = new SchemaRegistry();
  await bootstrapNamespaces(registry);

  const lifecycle = namespaceLifecycle(registry);
  await lifecycle.start();
  const metrics = new APIServerMetrics();
  const app = createHTTPServer({
    context: {
      registry,
      admission: new AdmissionChain([defaulting(), lifecycle]),
      fields: schemas,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
    },
    https: httpsServerOptions(pki),
    authenticator: new Authenticator({ caPem: pki.caCertPem, tokens: opts.tokenAuthFile ? loadTokenFile(opts.tokenAuthFile) : undefined }),
    logger,
    metrics,
    openapi: schemas,
    version: { ...KUBERNETES_VERSION, gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'node', platform: `${process.platform}/${process.arch}` },
    healthChecks: [
      { name: 'ping', check: async () => {} },
      { name: 'log', check: async () => {} },
      { name: 'storage', check: async () => void (await store.get('/registry/core/namespaces/default')) },
    ],
  });

  const gc = new GarbageCollector(registry, store, logger.child({ component: 'garbage-collector' }));
  const namespaces = new NamespaceController(registry, store, logger.child({ component: 'namespace-controller' }));
  await gc.start();
  await namespaces.start();

  const host = opts.bindAddress ?? '127.0.0.1';
  await app.listen({ port: opts.port, host });
  const port = (app.server.address() as { port: number }).port;
  const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${port}`;
  const kubeconfigPath = join(opts.dataDir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem, name: 'flotilla' });
  logger.info({ url, kubeconfig: kubeconfigPath, host: hostname() }, 'apiserver listening');

  return {
    url,
    port,
    kubeconfigPath,
    pki,
    registry,
    store,
    app,
    async close() {
      gc.stop();
      namespaces.stop();
      lifecycle.stop();
      await app.close();
      await store.close();
    },
  };
}

async function bootstrapNamespaces(registry: Registry): Promise<void> {
  const namespaces = registry.storeFor(registry.lookup('', 'v1', 'namespaces')!);
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!(err instanceof APIError && err.code === 409)) throw err;
    }
  }
}

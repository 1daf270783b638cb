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
import { CRDController } from './apiextensions/controller.js';
import { ensureFederationCRDs } from './federation/bootstrap.js';
import { federationAdmission } from './federation/admission.js';
import { defaulting } from './admission/defaults.js';
import { namespaceLifecycle } from './admission/namespacelifecycle.js';
import { Authenticator, httpsServerOptions, loadTokenFile } from './auth/authn.js';
import { writeKubeconfig } from './auth/kubeconfig.js';
import { ensurePKI, type PKI } from './auth/pki.js';
import { APIError } from './errors.js';
import { FieldManager } from './fieldmanager/index.js';
import { GarbageCollector } from './gc/garbagecollector.js';
import { createHTTPServer, type APIInstance } from './http/server.js';
import { APIServerMetrics } from './metrics.js';
import { NamespaceController } from './namespace/controller.js';
import { BUILTIN_RESOURCES } from './registry/builtin.js';
import { Registry } from './registry/registry.js';

export const KUBERNETES_VERSION = { major: '1', minor: '35', gitVersion: 'v1.35.0-flotilla' };

export const VERSION_INFO = {
  ...KUBERNETES_VERSION,
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '',
  goVersion: '',
  compiler: 'node',
  platform: `${process.platform}/${process.arch}`,
};

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** One Kubernetes API over a store: its resource table, admission and in-process controllers. */
export interface APIRuntime {
  instance: APIInstance;
  registry: Registry;
  stop(): void;
}

export interface APIRuntimeOptions {
  bookmarkIntervalMs?: number;
  /** Install and serve the Karmada federation APIs (the control plane; members are plain clusters). */
  federation?: boolean;
}

export async function startAPIRuntime(store: Store, schemas: SchemaRegistry, logger: Logger, opts: APIRuntimeOptions = {}): Promise<APIRuntime> {
  const registry = new Registry(store);
  registry.add(...BUILTIN_RESOURCES);
  await bootstrapNamespaces(registry);
  if (opts.federation) await ensureFederationCRDs(registry.storeFor(registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!));
  // Custom resources must be registered before the garbage collector starts: it watches the resources present then.
  const crds = new CRDController(registry, schemas, store, logger.child({ component: 'crd-controller' }));
  await crds.start();
  const lifecycle = namespaceLifecycle(registry);
  await lifecycle.start();
  const gc = new GarbageCollector(registry, store, logger.child({ component: 'garbage-collector' }));
  const namespaces = new NamespaceController(registry, store, logger.child({ component: 'namespace-controller' }));
  // Not awaited: the collector reads its graph while the apiserver serves (see start).
  void gc.start();
  await namespaces.start();
  return {
    registry,
    instance: {
      context: {
        registry,
        admission: new AdmissionChain([defaulting(), ...(opts.federation ? [federationAdmission()] : []), lifecycle]),
        fields: schemas,
        fieldManager: new FieldManager(schemas, {
          // Custom resources without a status subresource own their status through the main resource.
          hasStatusSubresource: (schema) => registry.all().some((r) => r.schemaRef === schema && r.subresources?.status === true),
        }),
        bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
      },
      openapi: schemas,
      healthChecks: [
        { name: 'ping', check: async () => {} },
        { name: 'log', check: async () => {} },
        { name: 'storage', check: async () => void (await store.get('/registry/core/namespaces/default')) },
      ],
    },
    stop() {
      crds.stop();
      gc.stop();
      namespaces.stop();
      lifecycle.stop();
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
  historyBytes?: number;
  watchBufferBytes?: number;
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

/** The HTTPS front of one or more API runtimes sharing a PKI, listening on host:port. */
export async function listenHTTPS(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<{ port: number; baseURL: string }> {
  await app.listen({ port, host });
  const actual = (app.server.address() as { port: number }).port;
  const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { port: actual, baseURL: `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${actual}` };
}

export async function startAPIServer(opts: APIServerOptions): Promise<RunningAPIServer> {
  const logger = opts.logger ?? pino({ level: opts.logLevel ?? 'info' });
  await mkdir(opts.dataDir, { recursive: true });
  const pki = await ensurePKI(opts.dataDir, { extraSANs: opts.extraSANs });
  const store = await LevelStore.open(join(opts.dataDir, 'store'), {
    logger,
    historyCount: opts.historyCount,
    historyAgeMs: opts.historyAgeMs,
    historyBytes: opts.historyBytes,
  });
  const runtime = await startAPIRuntime(store, new SchemaRegistry(), logger, { bookmarkIntervalMs: opts.bookmarkIntervalMs, federation: true });
  const app = createHTTPServer({
    https: httpsServerOptions(pki),
    authenticator: new Authenticator({ caPem: pki.caCertPem, tokens: opts.tokenAuthFile ? loadTokenFile(opts.tokenAuthFile) : undefined }),
    logger,
    metrics: new APIServerMetrics(),
    version: VERSION_INFO,
    instances: { root: runtime.instance },
    watchBufferBytes: opts.watchBufferBytes,
  });
  const { port, baseURL: url } = await listenHTTPS(app, opts.bindAddress ?? '127.0.0.1', opts.port);
  const kubeconfigPath = join(opts.dataDir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem, name: 'flotilla' });
  logger.info({ url, kubeconfig: kubeconfigPath, host: hostname() }, 'apiserver listening');

  return {
    url,
    port,
    kubeconfigPath,
    pki,
    registry: runtime.registry,
    store,
    app,
    async close() {
      runtime.stop();
      await app.close();
      await store.close();
    },
  };
}

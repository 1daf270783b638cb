// Clients for member clusters, built as Karmada's cluster client sets are: the server is the Cluster's
// spec.apiEndpoint (any path prefix kept), the credentials come from the Secret spec.secretRef names (caBundle, and
// token or tls.crt/tls.key), TLS verification is skipped when spec.insecureSkipTLSVerification says so, and
// spec.proxyURL is honoured (spec.proxyHeader is not). A client is cached per cluster and rebuilt when any of those
// inputs change; one set of clients is shared by every controller of a process.
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cluster } from '../../openapi/karmada/types.js';
import { KeepAliveKubeConfig } from './client.js';
import type { ControllerContext } from './controller.js';
import { InformerFactory, type SharedInformer } from './informer.js';
import { withDeadline } from './deadline.js';
import { restClient, type RawResponse, type RESTClient } from './rest.js';

export const CLUSTER_API = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' } as const;
export const CLUSTERS_PATH = `/apis/${CLUSTER_API.group}/${CLUSTER_API.version}/${CLUSTER_API.plural}`;
const SECRETS_PATH = '/api/v1/secrets';
const DEFAULT_TIMEOUT_MS = 10_000;

export type { RawResponse };

export interface RawGetOptions {
  /** Accept header; application/json unless given. */
  accept?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Why no client could be built for a cluster (no endpoint, no Secret, no credentials in it). */
export class MemberClientError extends Error {}

export class MemberClient {
  readonly core: CoreV1Api;
  readonly customObjects: CustomObjectsApi;
  /** create/read/patch/replace/delete/list for any apiVersion and kind (resolved through the member's discovery). */
  readonly objects: KubernetesObjectApi;
  private factory?: InformerFactory;
  private readonly rest: RESTClient;

  constructor(
    readonly cluster: string,
    readonly kc: KeepAliveKubeConfig,
    private readonly logger: Logger,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.customObjects = kc.makeApiClient(CustomObjectsApi);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.rest = restClient(kc);
  }

  /**
   * Shared informers on the member (forResource('/api/v1/nodes'), ...), created on first use. They live until
   * stopInformers, or until the client is rebuilt or dropped: a controller that registers handlers must look the
   * factory up again on its next reconcile rather than keep it.
   */
  get informers(): InformerFactory {
    this.factory ??= new InformerFactory(this.kc, this.logger);
    return this.factory;
  }

  /** Stops the member's informers (e.g. while it is unreachable); the next use of `informers` starts afresh. */
  stopInformers(): void {
    const factory = this.factory;
    this.factory = undefined;
    factory?.stop().catch((err) => this.logger.warn({ err }, 'stopping member informers failed'));
  }

  /**
   * GET path relative to the apiEndpoint (so /readyz of https://host/clusters/m1 is https://host/clusters/m1/readyz)
   * with the member's credentials. Any HTTP status resolves; only a failure to get a response rejects.
   */
  async get(path: string, opts: RawGetOptions = {}): Promise<RawResponse> {
    // On the connections the controllers' writes to the member use: a probe opens them before the first write needs one.
    return withDeadline(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.signal, (signal) => this.rest.raw('GET', path, { accept: opts.accept, signal }));
  }

  close(): void {
    this.stopInformers();
    void this.kc.close();
  }
}

/**
 * The inputs a member client is built from; a change to any of them rebuilds it. Remembered per cached Cluster and
 * Secret (an informer replaces an object that changes, and its objects are read-only): every request to a member
 * asks for its client, and serialising the inputs each time cost 2% of a controller-manager's start.
 */
const fingerprints = new WeakMap<Cluster, { secret: V1Secret; print: string }>();

function fingerprint(cluster: Cluster, secret: V1Secret): string {
  const known = fingerprints.get(cluster);
  if (known?.secret === secret) return known.print;
  const { apiEndpoint, insecureSkipTLSVerification, proxyURL, secretRef } = cluster.spec;
  const print = JSON.stringify([apiEndpoint, insecureSkipTLSVerification ?? false, proxyURL ?? '', secretRef, secret.metadata?.uid, secret.metadata?.resourceVersion]);
  fingerprints.set(cluster, { secret, print });
  return print;
}

function buildKubeConfig(cluster: Cluster, secret: V1Secret, userAgent: string | undefined): KeepAliveKubeConfig {
  const name = cluster.metadata!.name as string;
  const { apiEndpoint, insecureSkipTLSVerification, proxyURL } = cluster.spec;
  const data = secret.data ?? {};
  const token = data.token ? Buffer.from(data.token, 'base64').toString('utf8').trim() : undefined;
  const cert = data['tls.crt'] && data['tls.key'] ? { certData: data['tls.crt'], keyData: data['tls.key'] } : undefined;
  if (!token && !cert) throw new MemberClientError(`the secret for cluster ${name} has neither a token nor tls.crt and tls.key`);
  // Many controllers probe and write a member at once: 8 connections each, so a hundred members stay within bounds.
  const kc = new KeepAliveKubeConfig(8, userAgent);
  const skipTLSVerify = insecureSkipTLSVerification === true;
  kc.loadFromOptions({
    clusters: [{ name, server: apiEndpoint!, skipTLSVerify, ...(data.caBundle && !skipTLSVerify ? { caData: data.caBundle } : {}), ...(proxyURL ? { proxyUrl: proxyURL } : {}) }],
    users: [{ name, ...(token ? { token } : {}), ...cert }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

const shared = new WeakMap<InformerFactory, MemberClients>();

export class MemberClients {
  private readonly entries = new Map<string, { fingerprint: string; client: MemberClient }>();
  private readonly builtHandlers = new Set<(cluster: string) => void>();

  constructor(
    readonly clusters: SharedInformer<Cluster>,
    private readonly secrets: SharedInformer<V1Secret>,
    private readonly logger: Logger,
    /** What requests to members name their client: the control-plane process's own User-Agent, as in Karmada. */
    private readonly userAgent?: string,
  ) {}

  /** The member clients of the process ctx belongs to, stopped (and forgotten) when ctx.signal aborts. */
  static shared(ctx: ControllerContext): MemberClients {
    let clients = shared.get(ctx.informers);
    if (!clients) {
      const created = new MemberClients(ctx.informers.forResource<Cluster>(CLUSTERS_PATH), ctx.informers.forResource<V1Secret>(SECRETS_PATH), ctx.logger, ctx.client.kc.userAgent);
      clients = created;
      shared.set(ctx.informers, created);
      created.clusters.addEventHandler({ delete: (c) => created.forget(c.metadata!.name) }, ctx.signal);
      const stop = () => {
        shared.delete(ctx.informers);
        created.stop();
      };
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
    }
    return clients;
  }

  /**
   * handler hears the name of each cluster a client is built for, until signal aborts: a client built again (new
   * endpoint or credentials) comes with new informers, which whoever had handlers on the old ones must replace.
   */
  onClientBuilt(handler: (cluster: string) => void, signal: AbortSignal): void {
    this.builtHandlers.add(handler);
    signal.addEventListener('abort', () => this.builtHandlers.delete(handler), { once: true });
  }

  /** Resolves true once the Cluster and Secret caches clients are built from have synced. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    return (await this.clusters.waitForSync(signal)) && (await this.secrets.waitForSync(signal));
  }

  /**
   * The client for the named cluster, from the cached Cluster and Secret; throws MemberClientError if none can be
   * built, and a plain Error while the caches have not synced.
   */
  get(name: string): MemberClient {
    // Before the first complete lists, a Cluster or Secret missing from the caches proves nothing: that is a
    // transient error to retry, never a MemberClientError, which callers record as the cluster's state (a restarted
    // controller-manager would otherwise mark every healthy member not Ready until its Secrets were listed).
    // controller-runtime likewise reconciles nothing before its caches have synced.
    if (!this.clusters.hasSynced() || !this.secrets.hasSynced()) throw new Error(`no client for cluster ${name} yet: the Cluster and Secret caches have not synced`);
    try {
      return this.build(name);
    } catch (err) {
      // Credentials that are gone take the connections and informers made with them along.
      this.forget(name);
      throw err;
    }
  }

  private build(name: string): MemberClient {
    const cluster = this.clusters.get(undefined, name);
    if (!cluster) throw new MemberClientError(`cluster ${name} not found`);
    if (!cluster.spec.apiEndpoint) throw new MemberClientError(`the api endpoint of cluster ${name} is empty`);
    const ref = cluster.spec.secretRef;
    if (!ref) throw new MemberClientError(`cluster ${name} does not have a secret`);
    const secret = this.secrets.get(ref.namespace, ref.name);
    if (!secret) throw new MemberClientError(`secret ${ref.namespace}/${ref.name} of cluster ${name} not found`);
    const print = fingerprint(cluster, secret);
    const entry = this.entries.get(name);
    if (entry?.fingerprint === print) return entry.client;
    entry?.client.close();
    const client = new MemberClient(name, buildKubeConfig(cluster, secret, this.userAgent), this.logger.child({ cluster: name }));
    this.entries.set(name, { fingerprint: print, client });
    for (const handler of this.builtHandlers) handler(name);
    return client;
  }

  /** Drops the client of a cluster that is gone, with its informers and connections. */
  forget(name: string): void {
    this.entries.get(name)?.client.close();
    this.entries.delete(name);
  }

  stop(): void {
    for (const name of [...this.entries.keys()]) this.forget(name);
  }
}

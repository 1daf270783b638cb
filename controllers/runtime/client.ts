// Kubernetes API clients for the control-plane processes, built from one kubeconfig file: the typed clients of
// @kubernetes/client-node, its generic object API, and a raw GET for paths no typed client covers (informer lists).
import { Agent as HTTPAgent, request as httpRequest, type ClientRequestArgs } from 'node:http';
import { Agent as HTTPSAgent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import { Agent as PoolAgent, ProxyAgent, Socks5ProxyAgent, type buildConnector, type Dispatcher } from 'undici';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  Observable,
  type ConfigurationOptions,
  type KubernetesListObject,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { withDeadline } from './deadline.js';
import { userAgentOf } from './useragent.js';

export interface Clients {
  kc: KeepAliveKubeConfig;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  customObjects: CustomObjectsApi;
  /** create/read/patch/replace/delete/list for any apiVersion and kind (resolved through discovery). */
  objects: KubernetesObjectApi;
}

/** A TLS option (PEM text, DER bytes, or a list of them) as text to compare. */
function pemText(v: unknown): string {
  if (v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return Array.isArray(v) ? v.map(pemText).join('\0') : String(v);
}

/**
 * The latest TLS session of the connections made with one set of credentials, by the server and the verification
 * they connected with: a resumed session skips the check of the server's certificate against the name.
 */
type TLSSessions = Map<string, Buffer>;

/** Which session a connection may resume: one to the same server, verified the same way. */
const sessionKey = (host: string, port: unknown, servername: string | undefined, rejectUnauthorized: boolean | undefined) =>
  `${host}:${port}:${servername ?? ''}:${rejectUnauthorized !== false}`;

/** How long a connection of the request dispatcher may take to be ready for its first request. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * undici's connections for the request dispatcher, made as CredentialedAgent makes Node's: on the kubeconfig's TLS
 * context, resuming the latest session of the same credentials to the same server, whichever client made it.
 */
function credentialedConnector(tls: { secureContext: SecureContext; servername?: string; rejectUnauthorized?: boolean }, sessions: TLSSessions): buildConnector.connector {
  return ({ hostname, port, protocol }, callback) => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const servername = tls.servername ?? (isIP(host) ? '' : host);
    const key = sessionKey(host, port || (protocol === 'https:' ? 443 : 80), servername, tls.rejectUnauthorized);
    const socket = tlsConnect({ host, port: Number(port) || 443, servername, secureContext: tls.secureContext, rejectUnauthorized: tls.rejectUnauthorized, session: sessions.get(key), ALPNProtocols: ['http/1.1'] });
    socket.on('session', (session: Buffer) => sessions.set(key, session));
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`connecting to ${host}:${port}: no TLS connection within ${CONNECT_TIMEOUT_MS} ms`)));
    const failed = (err: Error) => callback(err, null);
    socket.once('error', failed).once('secureConnect', () => {
      socket.off('error', failed).setTimeout(0);
      callback(null, socket);
    });
  };
}

/**
 * An agent whose pools are named without the credentials. Node names a pool by every TLS option, the CA, certificate
 * and key texts included (Buffers turned into text), and names it again for each request and each socket it frees:
 * that was about a third of a keep-alive HTTPS request's client-side CPU. An agent's own options override a
 * request's, and this one's carry its credentials and TLS context, so every connection it makes uses the same ones.
 *
 * Its connections resume the TLS session of the latest connection made with the same credentials to the same server,
 * by any agent. On a 2-core machine a request on a new connection cost client and server about 4 ms of CPU each with a
 * full handshake, 2 to 3 ms with a resumed one, and half a millisecond on an open connection. Node's agents only
 * resume their own sessions, and every watch has an agent of its own (a controller-manager opens three hundred at a
 * start with a hundred members).
 */
class CredentialedAgent extends HTTPSAgent {
  constructor(
    options: AgentOptions,
    private readonly sessions: TLSSessions,
  ) {
    super(options);
  }

  override getName(options?: Parameters<HTTPSAgent['getName']>[0]): string {
    return `${HTTPAgent.prototype.getName.call(this, options)}:${options?.servername ?? ''}`;
  }

  override createConnection(
    options: ClientRequestArgs & Pick<ConnectionOptions, 'session' | 'servername' | 'rejectUnauthorized'>,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex | null | undefined {
    const key = sessionKey(String(options.host), options.port, options.servername, options.rejectUnauthorized);
    const latest = this.sessions.get(key);
    const socket = super.createConnection(latest && !options.session ? { ...options, session: latest } : options, callback);
    socket?.on('session', (session: Buffer) => this.sessions.set(key, session));
    return socket;
  }
}

/**
 * A kubeconfig whose typed clients, and raw requests made with requestOptions, share one keep-alive agent.
 * client-node builds a new https.Agent for every request (applyToHTTPSOptions included), so each API call would open
 * (and close) its own TCP and TLS connection: the server then spends more on handshakes than on the calls. Watches
 * keep their own agents (an informer cuts its watch by destroying that agent), and rest.ts's requests their own
 * keep-alive connections (requestDispatcher).
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private agent?: Promise<HTTPAgent | undefined>;
  private dispatcher?: Promise<Dispatcher>;
  /**
   * The TLS context of every connection to the server, the credentials it was built from, and the sessions to resume
   * (a session resumes the identity it was made with, so new credentials start without one).
   */
  private tls?: { inputs: string; context: SecureContext; sessions: TLSSessions };

  /**
   * maxSockets: connections to the server at most (the rest of the requests wait for one). userAgent: what every
   * request names its client, which the server names the fields it writes by.
   */
  constructor(
    private readonly maxSockets = 64,
    readonly userAgent = userAgentOf('flotilla'),
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.userAgent);
    const agent = await this.keepAliveAgent();
    if (agent) context.setAgent(agent);
  }

  /**
   * client-node's options, with an agent of the request's own (a watch is cut by destroying it) on the kubeconfig's
   * one TLS context: Node builds a context for each connection otherwise, parsing the CA, certificate and key again,
   * which costs a client more than the handshake (a controller-manager opens hundreds of watches on its members).
   */
  override async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    opts.headers = { ...opts.headers, 'user-agent': this.userAgent };
    // Proxies and plain HTTP keep client-node's agent.
    if (!(opts.agent instanceof HTTPSAgent)) return;
    opts.agent = this.credentialedAgent(opts);
  }

  /**
   * The agent options that connect as opts says, on the TLS context built for its credentials. They keep the
   * credentials too, which an agent's connection pools are named by, so that requests that bring their own (as
   * client-node's options do) share the pool of those that do not.
   */
  private tlsAgentOptions(opts: RequestOptions): AgentOptions {
    const { ca, cert, key, pfx, passphrase, servername, rejectUnauthorized } = opts;
    const inputs = [ca, cert, key, pfx, passphrase].map(pemText).join('\n');
    // Credentials an exec or auth provider renews get a new context.
    if (this.tls?.inputs !== inputs) this.tls = { inputs, context: createSecureContext({ ca, cert, key, pfx, passphrase }), sessions: new Map() };
    return { ca, cert, key, pfx, passphrase, secureContext: this.tls.context, servername, ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}) };
  }

  /** An agent that connects as opts says (with agentOptions), resuming the sessions of opts' credentials. */
  private credentialedAgent(opts: RequestOptions, agentOptions: AgentOptions = {}): CredentialedAgent {
    const tls = this.tlsAgentOptions(opts);
    return new CredentialedAgent({ ...agentOptions, ...tls }, this.tls!.sessions);
  }

  /** The shared agent for the current cluster; undefined behind a proxy (client-node's proxy agents are kept). */
  keepAliveAgent(): Promise<HTTPAgent | undefined> {
    this.agent ??= (async () => {
      const cluster = this.getCurrentCluster();
      if (!cluster || cluster.proxyUrl) return undefined;
      // An idle socket is dropped before a server's keep-alive timeout would close it under a request. Until then every
      // socket is kept: with fewer kept than opened, each burst of requests opened sockets that the next lull closed,
      // a new TLS connection every few requests to the apiserver.
      const agentOptions = { keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: this.maxSockets, timeout: 30_000 };
      if (cluster.server.startsWith('http:')) return new HTTPAgent(agentOptions);
      const tls: RequestOptions = {};
      await this.applyToHTTPSOptions(tls);
      return this.credentialedAgent(tls, agentOptions);
    })();
    return this.agent;
  }

  /**
   * The keep-alive connections of raw JSON requests (rest.ts), through the cluster's proxy if it has one. undici's
   * client, not Node's: on this project's 2-core machines a keep-alive HTTPS request costs its caller about 55 µs of
   * CPU through rest.ts on undici, against 95 for a bare https.request (`npm run bench:rest`) and 147 for rest.ts as
   * it was on Node's, and a controller-manager makes about four for every Work it propagates.
   */
  requestDispatcher(): Promise<Dispatcher> {
    this.dispatcher ??= (async () => {
      const cluster = this.getCurrentCluster();
      const opts: RequestOptions = {};
      await this.applyToHTTPSOptions(opts);
      const options = { connections: this.maxSockets, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000 };
      if (cluster?.server.startsWith('http:')) return new PoolAgent(options);
      const tls = this.tlsAgentOptions(opts);
      const requestTls = { secureContext: this.tls!.context, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized };
      if (cluster?.proxyUrl?.startsWith('socks')) return new Socks5ProxyAgent(cluster.proxyUrl, { ...options, requestTls } as Socks5ProxyAgent.Options);
      if (cluster?.proxyUrl) return new ProxyAgent({ ...options, uri: cluster.proxyUrl, requestTls });
      return new PoolAgent({ ...options, connect: credentialedConnector(requestTls, this.tls!.sessions) });
    })();
    return this.dispatcher;
  }

  /** Closes the shared agent's and the request dispatcher's connections. */
  async close(): Promise<void> {
    (await this.agent)?.destroy();
    await (await this.dispatcher)?.destroy();
  }
}

/** TLS options and credentials for a raw request to kc's server, on its shared keep-alive agent when it has one. */
export async function requestOptions(kc: KubeConfig, opts: RequestOptions = {}): Promise<RequestOptions> {
  await kc.applyToHTTPSOptions(opts);
  if (kc instanceof KeepAliveKubeConfig) opts.agent = (await kc.keepAliveAgent()) ?? opts.agent;
  return opts;
}

/** Clients for the API kubeconfigPath points at, whose requests name their client userAgent. */
export function loadClients(kubeconfigPath: string, userAgent?: string): Clients {
  const kc = new KeepAliveKubeConfig(undefined, userAgent);
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    customObjects: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/**
 * Per-call options for the typed clients that abort the request with signal: the generated clients take no signal
 * of their own, and a request to a hung apiserver must not outlive the deadline of whoever is waiting for it.
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** A typed-client call, given options that abort it after ms or when parent aborts. */
export function callWithin<T>(ms: number, parent: AbortSignal | undefined, call: (opts: ConfigurationOptions) => Promise<T>): Promise<T> {
  return withDeadline(ms, parent, (signal) => call(withSignal(signal)));
}

/** A non-2xx answer, with the Status the API sent. */
export class APIError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }

  /** The name client-node's ListWatch looks for (410 → relist). */
  get statusCode(): number {
    return this.code;
  }
}

/** Whether err is the API's answer with this HTTP status. */
export const isStatus = (err: unknown, code: number): boolean => err instanceof APIError && err.code === code;

/** The error for a non-2xx answer: the reason and message of the Status the API sent, or the start of the body. */
export function apiErrorOf(code: number, body: string, what = 'request'): APIError {
  let status: { reason?: string; message?: string } | undefined;
  try {
    status = JSON.parse(body);
  } catch {
    status = undefined;
  }
  return new APIError(code, status?.reason, status?.message ?? `${what}: HTTP ${code} ${body.slice(0, 200)}`);
}

/** The HTTP status of a failed API call made through client-node or our own requests, if it got that far. */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  return err instanceof APIError ? err.code : undefined;
}

/** Items per page of an informer's list (client-go's reflector pages its lists by 500 too). */
const LIST_PAGE_SIZE = 500;

export interface ListOptions<T> {
  /** Items per page. */
  pageSize?: number;
  /**
   * Applied to each item as its page arrives. A transform that drops or shares parts of an item (an informer's) then
   * lets them die young: applied to the whole list at the end, it met 100,000 Works that had all been promoted to the
   * old generation with their every copy of every string.
   */
  transform?: (item: T) => T;
}

/**
 * Every object under path (e.g. /apis/GROUP/VERSION/PLURAL), as one list of T read page by page from one snapshot: a
 * server then never builds a response of a whole large collection at once. When the snapshot expires before the last
 * page, the list is read again whole, as client-go's pager does.
 */
export function listPath<T extends KubernetesObject>(kc: KubeConfig, path: string, signal?: AbortSignal, opts: ListOptions<T> = {}): Promise<KubernetesListObject<T>> {
  const sep = path.includes('?') ? '&' : '?';
  const pageSize = opts.pageSize ?? LIST_PAGE_SIZE;
  const fetch: PageFetch = (token) => getText(kc, token === undefined ? path : `${path}${sep}limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`, signal);
  return readPages(fetch, opts.transform);
}

/**
 * A GET of a list's page: token '' is the first page, a continue token the next, undefined the whole list unpaged.
 * sent resolves once the request is on its way (or has failed), body with the answer's text.
 */
export type PageFetch = (token: string | undefined) => { sent: Promise<void>; body: Promise<string> };

/**
 * The pager of listPath. The next page is asked for as soon as a page's text has arrived, and sent before that page
 * is parsed: the server then reads and sends one page while this process parses the one before, where one page after
 * the other left each side waiting on the other for each of a cold start's hundreds of pages.
 */
export async function readPages<T extends KubernetesObject>(fetch: PageFetch, transform?: (item: T) => T): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  const add = (page: KubernetesListObject<T>) => {
    for (const item of page.items) items.push(transform ? transform(item) : item);
  };
  let first: KubernetesListObject<T> | undefined;
  let pending: ReturnType<PageFetch> | undefined = fetch('');
  while (pending) {
    let text: string;
    try {
      text = await pending.body;
    } catch (err) {
      if (!first || !isStatus(err, 410)) throw err;
      const whole = JSON.parse(await fetch(undefined).body) as KubernetesListObject<T>;
      items.length = 0;
      add(whole);
      return { ...whole, items };
    }
    const early = continueOf(text);
    pending = early ? fetch(early) : undefined;
    if (pending) {
      // Its failure is met when its body is awaited, after this page.
      pending.body.catch(() => {});
      await pending.sent;
    }
    const page = JSON.parse(text) as KubernetesListObject<T>;
    const next = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
    if (!early && next) pending = fetch(next);
    first ??= page;
    add(page);
  }
  const { continue: _c, ...metadata } = (first!.metadata ?? {}) as Record<string, unknown>;
  return { ...first!, metadata, items };
}

/**
 * The continue token of a list's text, read from the text before its items (where kube-apiserver, and ours, put the
 * list's metadata) without parsing the items; undefined when the list has none or the text is not laid out that way.
 */
export function continueOf(text: string): string | undefined {
  const at = text.indexOf('"items":');
  if (at < 0) return undefined;
  try {
    const head = JSON.parse(`${text.slice(0, at)}"items":[]}`) as { metadata?: { continue?: unknown } };
    const token = head.metadata?.continue;
    return typeof token === 'string' && token ? token : undefined;
  } catch {
    return undefined;
  }
}

/** A GET of path, which must answer 200: sent once the request is written, body with the answer's text. */
function getText(kc: KubeConfig, path: string, signal?: AbortSignal): { sent: Promise<void>; body: Promise<string> } {
  let onSent!: () => void;
  const sent = new Promise<void>((resolve) => (onSent = resolve));
  const body = (async () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server + path);
    // On the shared agent: a page on a connection of its own cost the client and the server a TLS handshake each, and
    // a cold start lists hundreds of pages (101,400 Works are 203 of them).
    const opts = await requestOptions(kc, { method: 'GET', headers: { accept: 'application/json' }, signal });
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<string>((resolve, reject) => {
      const req = request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(apiErrorOf(res.statusCode ?? 0, text));
          resolve(text);
        });
      });
      req.on('error', reject);
      req.on('finish', onSent);
      req.end();
    });
  })();
  // A request that failed before it was sent is done with too: body has its error.
  body.then(onSent, onSent);
  return { sent, body };
}

// JSON requests to any Kubernetes API by path, with a kubeconfig's credentials, on its request dispatcher. Objects of
// any kind are read and written as the API serves them: client-node's typed and generic clients turn built-in kinds
// into their generated models (dropping fields those do not know, turning timestamps into Dates) and cost more per
// call than the request itself on the controllers' hot paths.
import type { RequestOptions } from 'node:https';
import { errors, type Dispatcher } from 'undici';
import type { Obj } from '../overrides/jsonpatch.js';
import { apiErrorOf, type KeepAliveKubeConfig } from './client.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface RequestOptionsJSON {
  body?: unknown;
  contentType?: string;
  /** application/json unless given. */
  accept?: string;
  signal?: AbortSignal;
}

/** An answer as it came, whatever its status. */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RESTClient {
  request(method: string, path: string, opts?: RequestOptionsJSON): Promise<Obj>;
  /**
   * request(), for a write whose answer is not wanted. A Kubernetes API answers a write with the whole object, and
   * parsing it was about a twentieth of the controller-manager's CPU: a success's body is read past instead.
   */
  send(method: string, path: string, opts?: RequestOptionsJSON): Promise<void>;
  /** A request whose answer resolves whatever its status: only a failure to get one rejects. */
  raw(method: string, path: string, opts?: RequestOptionsJSON): Promise<RawResponse>;
}

/**
 * How long the credentials a client resolved are used before they are resolved again: resolving them costs a request
 * more than the rest of its client-side work, and tokens a kubeconfig's auth provider refreshes are still picked up.
 */
const OPTIONS_TTL_MS = 60_000;

/** Where a client's requests go, and the headers that carry its credentials. */
interface Target {
  dispatcher: Dispatcher;
  origin: string;
  /** The server's path prefix (a member's apiEndpoint may have one), without a trailing slash. */
  prefix: string;
  headers: Record<string, string>;
}

async function resolveTarget(kc: KeepAliveKubeConfig): Promise<Target> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = String(value);
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return { dispatcher: await kc.requestDispatcher(), origin: server.origin, prefix: server.pathname.replace(/\/+$/, ''), headers };
}

/** A client for the API kc points at, on its request dispatcher's keep-alive connections. */
export function restClient(kc: KeepAliveKubeConfig, timeoutMs = DEFAULT_TIMEOUT_MS): RESTClient {
  let resolved: { at: number; target: Promise<Target> } | undefined;
  const currentTarget = () => {
    const now = Date.now();
    if (!resolved || now - resolved.at > OPTIONS_TTL_MS) {
      const entry = { at: now, target: resolveTarget(kc) };
      // A failed resolution is not kept: the next request tries again.
      entry.target.catch(() => resolved === entry && (resolved = undefined));
      resolved = entry;
    }
    return resolved.target;
  };
  /** The answer's status, headers and a body still to be read. */
  async function respond(method: string, path: string, opts: RequestOptionsJSON) {
    const { dispatcher, origin, prefix, headers } = await currentTarget();
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const fail = (err: unknown): never => {
      const timedOut = err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
      throw timedOut ? new Error(`${method} ${path}: no response within ${timeoutMs} ms`, { cause: err }) : err;
    };
    const res = await dispatcher
      .request({
        origin,
        path: prefix + path,
        method: method as Dispatcher.HttpMethod,
        signal: opts.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: { ...headers, accept: opts.accept ?? 'application/json', ...(body === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }) },
        body,
      })
      .catch(fail);
    return {
      statusCode: res.statusCode,
      headers: res.headers,
      text: () => res.body.text().catch(fail),
      // Read to the end, however long: a body left unread would cost the connection.
      skip: () => res.body.dump({ limit: Infinity }).catch(fail),
    };
  }
  async function call(method: string, path: string, opts: RequestOptionsJSON, parse: boolean): Promise<Obj | undefined> {
    const res = await respond(method, path, opts);
    const code = res.statusCode;
    if (!parse && code >= 200 && code < 300) {
      await res.skip();
      return undefined;
    }
    const text = await res.text();
    if (code >= 200 && code < 300) {
      try {
        return text ? JSON.parse(text) : {};
      } catch {
        // Not JSON: reported below as what it is.
      }
    }
    throw apiErrorOf(code, text, `${method} ${path}`);
  }
  return {
    request: async (method, path, opts = {}) => (await call(method, path, opts, true))!,
    send: async (method, path, opts = {}) => void (await call(method, path, opts, false)),
    raw: async (method, path, opts = {}) => {
      const res = await respond(method, path, opts);
      return { statusCode: res.statusCode, headers: res.headers, body: await res.text() };
    },
  };
}

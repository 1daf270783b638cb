// JSON requests to any Kubernetes API by path, with a kubeconfig's credentials, on its keep-alive agent. Objects of
// any kind are read and written as the API serves them: client-node's typed and generic clients turn built-in kinds
// into their generated models (dropping fields those do not know, turning timestamps into Dates) and cost more per
// call than the request itself on the controllers' hot paths.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Obj } from '../overrides/jsonpatch.js';
import { apiErrorOf, requestOptions } from './client.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface RequestOptionsJSON {
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface RESTClient {
  request(method: string, path: string, opts?: RequestOptionsJSON): Promise<Obj>;
  /**
   * request(), for a write whose answer is not wanted. A Kubernetes API answers a write with the whole object, and
   * parsing it was about a twentieth of the controller-manager's CPU: a success's body is read past instead.
   */
  send(method: string, path: string, opts?: RequestOptionsJSON): Promise<void>;
}

/**
 * How long the TLS options and credentials a client resolved are used before they are resolved again: resolving them
 * costs a request more than the rest of its client-side work (client-node builds an agent each time), and tokens a
 * kubeconfig's auth provider refreshes are still picked up.
 */
const OPTIONS_TTL_MS = 60_000;

/** A client for the API kc points at (on its keep-alive agent when it has one). */
export function restClient(kc: KubeConfig, timeoutMs = DEFAULT_TIMEOUT_MS): RESTClient {
  let resolved: { at: number; options: Promise<RequestOptions> } | undefined;
  const currentOptions = () => {
    const now = Date.now();
    if (!resolved || now - resolved.at > OPTIONS_TTL_MS) {
      const entry = { at: now, options: requestOptions(kc) };
      // A failed resolution is not kept: the next request tries again.
      entry.options.catch(() => resolved === entry && (resolved = undefined));
      resolved = entry;
    }
    return resolved.options;
  };
  async function call(method: string, path: string, opts: RequestOptionsJSON, parse: boolean): Promise<Obj | undefined> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    const options = await currentOptions();
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Obj | undefined>((resolve, reject) => {
      const req = request(
        url,
        {
          ...options,
          method,
          signal: opts.signal,
          // An idle socket timeout rather than AbortSignal.timeout: no timer and no combined signal per request.
          timeout: timeoutMs,
          headers: {
            ...options.headers,
            accept: 'application/json',
            ...(body ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': String(body.length) } : {}),
          },
        },
        (res) => {
          const code = res.statusCode ?? 0;
          if (!parse && code >= 200 && code < 300) {
            res.on('error', reject);
            res.on('end', () => resolve(undefined));
            res.resume();
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (code >= 200 && code < 300) {
              try {
                return resolve(text ? JSON.parse(text) : {});
              } catch {
                // Not JSON: reported below as what it is.
              }
            }
            reject(apiErrorOf(code, text, `${method} ${path}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no response within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    request: async (method, path, opts = {}) => (await call(method, path, opts, true))!,
    send: async (method, path, opts = {}) => void (await call(method, path, opts, false)),
  };
}

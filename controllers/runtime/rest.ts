// JSON requests to any Kubernetes API by path, with a kubeconfig's credentials, on its keep-alive agent. Objects of
// any kind are read and written as the API serves them: client-node's typed and generic clients turn built-in kinds
// into their generated models (dropping fields those do not know, turning timestamps into Dates) and cost more per
// call than the request itself on the controllers' hot paths.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
}

/** A client for the API kc points at (on its keep-alive agent when it has one). */
export function restClient(kc: KubeConfig, timeoutMs = DEFAULT_TIMEOUT_MS): RESTClient {
  return {
    async request(method, path, opts = {}) {
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error('kubeconfig has no current cluster');
      const url = new URL(cluster.server.replace(/\/+$/, '') + path);
      const options = await requestOptions(kc);
      const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
      const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<Obj>((resolve, reject) => {
        const req = request(
          url,
          {
            ...options,
            method,
            signal,
            headers: {
              ...options.headers,
              accept: 'application/json',
              ...(body ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': String(body.length) } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const code = res.statusCode ?? 0;
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
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}

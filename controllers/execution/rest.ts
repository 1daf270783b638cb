// JSON requests to any Kubernetes API with a kubeconfig's credentials, and discovery of where a kind is served.
// Objects of any kind are read and written as the API serves them: client-node's generic object API would turn
// built-in kinds into its typed models and drop every field those do not know.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Obj } from '../overrides/jsonpatch.js';
import { requestOptions } from '../runtime/client.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** A non-2xx answer, with the Status the API sent. */
export class APIError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const isStatus = (err: unknown, code: number): boolean => err instanceof APIError && err.code === code;

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
              let parsed: Obj | undefined;
              try {
                parsed = text ? JSON.parse(text) : {};
              } catch {
                parsed = undefined;
              }
              const code = res.statusCode ?? 0;
              if (code >= 200 && code < 300 && parsed) return resolve(parsed);
              reject(new APIError(code, parsed?.reason, parsed?.message ?? `${method} ${path}: HTTP ${code} ${text.slice(0, 200)}`));
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}

export interface ResourceInfo {
  /** The resource name, e.g. deployments. */
  plural: string;
  namespaced: boolean;
}

/**
 * apiVersion + kind → resource, from the API's discovery documents (a RESTMapper). Each group version is read once
 * and read again when a kind is not found in it, at most every refreshAfterMs (a CRD may be installed later).
 */
export class ResourceMapper {
  private readonly groups = new Map<string, { at: number; resources: Promise<Map<string, ResourceInfo>> }>();

  constructor(
    private readonly rest: RESTClient,
    private readonly refreshAfterMs = 5_000,
  ) {}

  /** Throws when the API does not serve kind in apiVersion (kube's NoKindMatchError), or discovery fails. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const noMatch = () => new Error(`no matches for kind "${kind}" in version "${apiVersion}"`);
    const cached = this.groups.get(apiVersion);
    if (cached) {
      const resources = await cached.resources.catch(() => undefined);
      const hit = resources?.get(kind);
      if (hit) return hit;
      if (resources && Date.now() - cached.at < this.refreshAfterMs) throw noMatch();
    }
    const entry = { at: Date.now(), resources: this.discover(apiVersion) };
    this.groups.set(apiVersion, entry);
    // A failed discovery is not cached.
    entry.resources.catch(() => this.groups.get(apiVersion) === entry && this.groups.delete(apiVersion));
    const hit = (await entry.resources).get(kind);
    if (!hit) throw noMatch();
    return hit;
  }

  private async discover(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let list: Obj;
    try {
      list = await this.rest.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    } catch (err) {
      if (isStatus(err, 404)) return new Map();
      throw err;
    }
    const out = new Map<string, ResourceInfo>();
    for (const r of list.resources ?? []) if (!String(r.name).includes('/')) out.set(r.kind, { plural: r.name, namespaced: r.namespaced === true });
    return out;
  }
}

/** The path of the collection of a resource (in namespace, when namespaced), or of the named object in it. */
export function resourcePath(apiVersion: string, info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${info.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

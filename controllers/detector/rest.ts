// Untyped JSON requests by path, and a kubeconfig whose list and watch requests ask for metadata only.
//
// The detector works on every kind the apiserver serves, as plain JSON. client-node's KubernetesObjectApi decodes
// known kinds into its generated classes (dropping fields it does not know, turning timestamps into Dates) and
// CustomObjectsApi cannot address the core group, so templates are read and written here by path, with the
// kubeconfig's credentials, exactly as listPath in runtime/client.ts reads lists.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { APIStatusError, requestOptions } from '../runtime/client.js';

/** method path with an optional JSON body; resolves to the decoded JSON response, rejects with APIStatusError. */
export async function requestJSON<T = any>(kc: KubeConfig, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  const opts = await requestOptions(kc, { method, headers, signal });
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return reject(new APIStatusError(status, text));
        try {
          resolve(JSON.parse(text) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof APIStatusError && err.statusCode === code;
}

const LIST_METADATA = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const WATCH_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/**
 * kc, except that the informers' lists and watches get PartialObjectMetadata (client-go's metadata informers): the
 * detector keeps a cache of every object of every kind, and only their metadata is needed to match policies.
 * SharedInformer lists through applyToHTTPSOptions (listPath) and watches through applyToFetchOptions (client-node's
 * Watch), so each gets its Accept header here.
 */
export function metadataOnly(kc: KubeConfig): KubeConfig {
  const meta = Object.create(kc) as KubeConfig;
  meta.applyToHTTPSOptions = async (opts) => {
    await kc.applyToHTTPSOptions(opts);
    opts.headers = { ...opts.headers, accept: LIST_METADATA };
  };
  meta.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    (init.headers as unknown as { set(name: string, value: string): void }).set('accept', WATCH_METADATA);
    return init;
  };
  return meta;
}

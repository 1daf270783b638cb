// A kubeconfig whose list and watch requests ask for metadata only.
import type { KubeConfig } from '@kubernetes/client-node';

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

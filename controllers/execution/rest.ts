// Discovery of where a kind is served (a RESTMapper), and the paths of resources.
import type { Obj } from '../overrides/jsonpatch.js';
import { isStatus } from '../runtime/client.js';
import type { RESTClient } from '../runtime/rest.js';

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

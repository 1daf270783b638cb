// The set of served resources. Built-in kinds are added at start; CRDs and federation types add and remove entries
// at run time, and listeners (discovery, OpenAPI) hear about every change.
import type { Store } from '../../storage/store.js';
import { ResourceStore } from './resourcestore.js';
import type { ResourceType } from './types.js';

export function groupVersion(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

export class Registry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly stores = new Map<ResourceType, ResourceStore>();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change so that caches derived from the table can tell they are stale. */
  generation = 0;

  constructor(private readonly store: Store) {}

  add(...rts: ResourceType[]): void {
    for (const rt of rts) this.byPath.set(`${rt.group}/${rt.version}/${rt.plural}`, rt);
    this.changed();
  }

  remove(group: string, version: string, plural: string): void {
    const rt = this.byPath.get(`${group}/${version}/${plural}`);
    if (!rt) return;
    this.byPath.delete(`${group}/${version}/${plural}`);
    this.stores.delete(rt);
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.generation++;
    for (const l of this.listeners) l();
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The served resource for an apiVersion + kind (as in an ownerReference), if any. */
  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const rt of this.byPath.values()) if (rt.group === group && rt.version === version && rt.kind === kind) return rt;
    return undefined;
  }

  /** One entry per stored collection (skipping entries that are other versions of a stored resource). */
  storedResources(): ResourceType[] {
    return this.all().filter((rt) => !rt.storageVersion);
  }

  storeFor(rt: ResourceType): ResourceStore {
    let s = this.stores.get(rt);
    if (!s) {
      s = new ResourceStore(rt, this.store);
      this.stores.set(rt, s);
    }
    return s;
  }
}

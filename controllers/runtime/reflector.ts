// client-go's reflector and store: a resource is listed into a cache, then watched from the list's resourceVersion,
// and each change is passed on with the object it replaced. Handing over the replaced object is what lets indexes
// and change filters work without remembering anything of their own per object: client-node's ListWatch, which this
// replaces, passed on only the new one, and what its users had to keep instead cost more heap than the objects'
// indexes themselves (BENCHMARKS.md, thirteenth session).
//
// As ListWatch: a clean end of the watch re-watches from the latest resourceVersion, 410 Expired (as a status code
// or as an ERROR event) lists again, and any other error stops it and goes to onError, whose owner decides when to
// start it again (which resumes from the latest resourceVersion).
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

export interface StoreHandlers<T> {
  add(obj: T): void;
  /** old is the object obj replaced in the cache. */
  update(obj: T, old: T): void;
  /** obj is the object as the deletion reports it (the cached one after a list), old the cached one. */
  delete(obj: T, old: T): void;
}

/** What the reflector watches through: client-node's Watch interface. */
export interface Watcher {
  watch(
    path: string,
    queryParams: Record<string, string>,
    callback: (phase: string, apiObj: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController>;
}

function isExpired(err: any): boolean {
  return err?.statusCode === 410 || err?.code === 410;
}

export class Reflector<T extends KubernetesObject> {
  /** The cache: objects by namespace ('' for cluster-scoped), then by name. */
  private readonly objects = new Map<string, Map<string, T>>();
  private resourceVersion = '';
  private request?: AbortController;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly watcher: Watcher,
    private readonly listFn: () => Promise<KubernetesListObject<T>>,
    private readonly handlers: StoreHandlers<T>,
    private readonly onError: (err: unknown) => void,
  ) {}

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ?? '')?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace) return [...(this.objects.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const inNamespace of this.objects.values()) all.push(...inNamespace.values());
    return all;
  }

  /** Lists unless a resourceVersion is known, then watches; rejects when the list fails. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.run(null);
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
    this.request = undefined;
  }

  private async run(err: unknown): Promise<void> {
    this.request?.abort();
    this.request = undefined;
    if (isExpired(err)) this.resourceVersion = '';
    else if (err) return this.onError(err);
    if (this.stopped) return;
    if (!this.resourceVersion) {
      const list = await this.listFn();
      if (this.stopped) return;
      this.replace(list.items);
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
    }
    this.request = await this.watcher.watch(
      this.path,
      { resourceVersion: this.resourceVersion },
      (phase, obj) => this.onEvent(phase, obj),
      (doneErr) => void this.run(doneErr).catch((e) => this.onError(e)),
    );
  }

  private onEvent(phase: string, obj: any): void {
    switch (phase) {
      case 'ERROR':
        // The watch ends after it; the next run lists again.
        if (obj?.code === 410) this.resourceVersion = '';
        return;
      case 'ADDED':
      case 'MODIFIED':
        this.addOrUpdate(obj);
        break;
      case 'DELETED':
        this.remove(obj);
        break;
    }
    this.resourceVersion = obj?.metadata?.resourceVersion ?? '';
  }

  /** A list's items become the cache: what it lacks is deleted first, then each item is added or updated. */
  private replace(items: T[]): void {
    const listed = new Map<string, Set<string>>();
    for (const obj of items) {
      const namespace = obj.metadata?.namespace ?? '';
      let names = listed.get(namespace);
      if (!names) listed.set(namespace, (names = new Set()));
      names.add(obj.metadata?.name ?? '');
    }
    for (const [namespace, inNamespace] of this.objects) {
      const names = listed.get(namespace);
      for (const [name, old] of inNamespace) {
        if (names?.has(name)) continue;
        inNamespace.delete(name);
        this.handlers.delete(old, old);
      }
      if (inNamespace.size === 0) this.objects.delete(namespace);
    }
    for (const obj of items) this.addOrUpdate(obj);
  }

  private addOrUpdate(obj: T): void {
    const namespace = obj.metadata?.namespace ?? '';
    let inNamespace = this.objects.get(namespace);
    if (!inNamespace) this.objects.set(namespace, (inNamespace = new Map()));
    const name = obj.metadata?.name ?? '';
    const old = inNamespace.get(name);
    if (!old) {
      inNamespace.set(name, obj);
      this.handlers.add(obj);
      return;
    }
    const rv = old.metadata?.resourceVersion;
    if (rv != null && rv === obj.metadata?.resourceVersion) return;
    inNamespace.set(name, obj);
    this.handlers.update(obj, old);
  }

  private remove(obj: T): void {
    const namespace = obj.metadata?.namespace ?? '';
    const inNamespace = this.objects.get(namespace);
    const name = obj.metadata?.name ?? '';
    const old = inNamespace?.get(name);
    if (!inNamespace || !old) return;
    inNamespace.delete(name);
    if (inNamespace.size === 0) this.objects.delete(namespace);
    this.handlers.delete(obj, old);
  }
}

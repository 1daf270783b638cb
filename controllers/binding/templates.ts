// Resource templates of any kind, read from shared informers that are started on first use: a binding may point at
// any kind the API serves, and its template must be watched so that the binding is rendered again when it changes.
// The informer cache is also what the template is read from (as Karmada's FetchResourceTemplate prefers its
// informers): it holds the objects exactly as the API serves them, where the generic object API of client-node would
// turn built-in kinds into its typed models and drop any field those do not know.
import { ApiException } from '@kubernetes/client-node';
import type { ControllerContext } from '../runtime/controller.js';
import type { SharedInformer } from '../runtime/informer.js';
import type { Obj } from '../overrides/jsonpatch.js';

export interface TemplateRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type TemplateLookup =
  | { state: 'found'; object: Obj }
  | { state: 'absent' }
  /** The informer has not listed yet: the ref is announced (onEvent) once it has. */
  | { state: 'unsynced' }
  /** The API serves no such kind (yet: a CRD may be installed later). */
  | { state: 'unknown-kind' };

export class TemplateSource {
  private readonly informers = new Map<string, SharedInformer<Obj>>();
  /**
   * Per informer that has not listed yet, the refs looked up in it meanwhile. Their callers are told through onEvent
   * once it has, rather than asking again on a timer: with 5,700 bindings waiting on one informer at a cold start, a
   * 500 ms retry reconciled each binding twenty times over.
   */
  private readonly waiting = new Map<string, Map<string, TemplateRef>>();

  /**
   * onEvent is called for every template added, updated or deleted, of every kind looked up so far; with a view,
   * only for adds and updates that change it (see SharedInformer.addViewHandler).
   */
  constructor(
    private readonly ctx: ControllerContext,
    private readonly onEvent: (template: TemplateRef) => void,
    private readonly view?: (template: Obj) => string,
  ) {}

  async get(ref: TemplateRef): Promise<TemplateLookup> {
    const informer = await this.informer(ref.apiVersion, ref.kind);
    if (!informer) return { state: 'unknown-kind' };
    if (!informer.hasSynced()) {
      this.waiting.get(`${ref.apiVersion}/${ref.kind}`)?.set(`${ref.namespace ?? ''}/${ref.name}`, ref);
      return { state: 'unsynced' };
    }
    const object = informer.get(ref.namespace || undefined, ref.name);
    // The items of a list need not carry their apiVersion and kind.
    return object ? { state: 'found', object: { ...object, apiVersion: ref.apiVersion, kind: ref.kind } } : { state: 'absent' };
  }

  /** The informer of every object of apiVersion and kind, or undefined when the API does not serve it. */
  async informer(apiVersion: string, kind: string): Promise<SharedInformer<Obj> | undefined> {
    const key = `${apiVersion}/${kind}`;
    const known = this.informers.get(key);
    if (known) return known;
    const path = await this.collectionPath(apiVersion, kind);
    if (!path) return undefined;
    const informer = this.ctx.informers.forResource<Obj>(path);
    // Another lookup may have got here first while this one awaited discovery.
    if (!this.informers.has(key)) {
      this.informers.set(key, informer);
      const onEvent = (o: Obj) => this.onEvent({ apiVersion, kind, namespace: o.metadata?.namespace, name: o.metadata?.name });
      const handler = { add: onEvent, update: onEvent, delete: onEvent };
      if (this.view) informer.addViewHandler(this.view, handler, this.ctx.signal);
      else informer.addEventHandler(handler, this.ctx.signal);
      const waiting = new Map<string, TemplateRef>();
      this.waiting.set(key, waiting);
      void informer.waitForSync(this.ctx.signal).then((synced) => {
        this.waiting.delete(key);
        if (synced) for (const ref of waiting.values()) this.onEvent(ref);
      });
    }
    return informer;
  }

  /** Discovery: the path of all objects of apiVersion and kind, across namespaces. */
  private async collectionPath(apiVersion: string, kind: string): Promise<string | undefined> {
    const slash = apiVersion.indexOf('/');
    // The legacy core group has one version.
    if (slash < 0 && apiVersion !== 'v1') return undefined;
    let resources;
    try {
      resources =
        slash < 0
          ? await this.ctx.client.core.getAPIResources()
          : await this.ctx.client.customObjects.getAPIResources({ group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
    const resource = resources.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) return undefined;
    return slash < 0 ? `/api/${apiVersion}/${resource.name}` : `/apis/${apiVersion}/${resource.name}`;
  }
}

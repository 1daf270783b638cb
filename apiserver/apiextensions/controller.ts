// The CRD controller: serves each CustomResourceDefinition's resources and keeps its status, combining what kube
// splits over the naming, establishing and finalizer controllers and the CR handler. A CRD gets its names checked
// against the rest of its group, its resources registered (before Established turns True, so a client that waits for
// Established can use them at once), and on deletion its custom resources deleted before its cleanup finalizer goes.
import type { Logger } from 'pino';
import { WorkQueue } from '../../controllers/runtime/workqueue.js';
import type { Schema } from '../../openapi/facts.js';
import type { SchemaRegistry } from '../../openapi/schemas.js';
import type { KObject, Store, Watcher } from '../../storage/store.js';
import { APIError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/resourcestore.js';
import type { ResourceType } from '../registry/types.js';
import { calculateNames, claimedNames, isConditionTrue, setCondition } from './naming.js';
import { registrationFor, storageVersion, type ServingState } from './resources.js';
import { CLEANUP_FINALIZER, CRD_GROUP, CRD_RESOURCE, type CustomResourceDefinition, type CustomResourceDefinitionCondition, type CustomResourceDefinitionNames } from './types.js';

const RECHECK_MS = 1000;

/** What is registered for one CRD. */
interface Served {
  /** The spec and names the registration was built from: a change means rebuilding it. */
  key: string;
  resources: ResourceType[];
  schemas: Record<string, Schema>;
  state: ServingState;
}

export class CRDController {
  private readonly queue: WorkQueue<string>;
  private watcher?: Watcher;
  /** The latest CRDs seen (watch events and this controller's own writes), for checking names across a group. */
  private readonly crds = new Map<string, CustomResourceDefinition>();
  private readonly served = new Map<string, Served>();

  constructor(
    private readonly registry: Registry,
    private readonly schemas: SchemaRegistry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {
    // One worker: names are granted one CRD at a time, as in kube's naming controller.
    this.queue = new WorkQueue((name) => this.sync(name), (name, err) => this.logger.warn({ crd: name, err: String(err) }, 'CRD sync failed, will retry'));
  }

  private crdStore(): ResourceStore {
    return this.registry.storeFor(this.registry.lookup(CRD_GROUP, 'v1', CRD_RESOURCE)!);
  }

  /** Lists and serves the existing CRDs (resolving once they are registered), then follows changes. */
  async start(): Promise<void> {
    const crds = this.crdStore();
    const page = await crds.list(undefined, {});
    for (const crd of page.items) this.remember(crd as CustomResourceDefinition);
    this.watcher = this.store.watch(crds.prefix(), { resourceVersion: Number(page.resourceVersion) }, (e) => {
      const name: string = e.object.metadata?.name;
      if (e.type === 'DELETED') {
        this.crds.delete(name);
        // Withdrawn at once, not when its turn in the queue comes: a CRD of its group that is granted the names it
        // held must not find the old resources and schemas still registered.
        this.unserve(name);
        // The names it held are free now: other CRDs of its group may get theirs.
        this.requeueGroup(e.object.spec?.group, name);
      } else this.remember(e.object as CustomResourceDefinition);
      this.queue.add(name);
    });
    for (const crd of page.items) this.queue.add(crd.metadata!.name);
    await this.queue.idle();
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
  }

  /** Keeps the newest version of a CRD: a watch event may arrive after this controller's own later write. */
  private remember(crd: CustomResourceDefinition): void {
    const known = this.crds.get(crd.metadata.name);
    if (!known || Number(crd.metadata.resourceVersion) >= Number(known.metadata.resourceVersion)) this.crds.set(crd.metadata.name, crd);
  }

  private async sync(name: string): Promise<void | { requeueAfterMs: number }> {
    let crd: CustomResourceDefinition;
    try {
      crd = (await this.crdStore().get(undefined, name)) as CustomResourceDefinition;
    } catch (err) {
      if (!(err instanceof APIError && err.code === 404)) throw err;
      this.unserve(name);
      return;
    }
    if (!usable(crd)) {
      this.logger.warn({ crd: name }, 'CRD lacks group, names or a storage version; not serving it');
      return;
    }
    if (crd.metadata.deletionTimestamp) return this.finalize(crd);

    if (!crd.metadata.finalizers?.includes(CLEANUP_FINALIZER))
      crd = await this.update(name, (c) => {
        c.metadata.finalizers = [...(c.metadata.finalizers ?? []), CLEANUP_FINALIZER];
      });
    const before = JSON.stringify(crd.status?.acceptedNames);
    const others = [...this.crds.values()].filter((c) => c.metadata.name !== name);
    const naming = calculateNames(crd, claimedNames(crd.spec.group, [...others, crd], this.registry.all()));
    if (naming.established.status === 'True') this.serve(crd, naming.acceptedNames);
    const storage = storageVersion(crd)!.name;
    crd = await this.update(name, (c) => {
      const status = (c.status ??= {});
      status.acceptedNames = naming.acceptedNames;
      setCondition(c, naming.namesAccepted);
      setCondition(c, naming.established);
      if (!status.storedVersions?.includes(storage)) status.storedVersions = [...(status.storedVersions ?? []), storage];
    }, 'status');
    if (JSON.stringify(crd.status?.acceptedNames) !== before) this.requeueGroup(crd.spec.group, name);
  }

  /**
   * Deletion (kube's CRD finalizer): mark the CRD Terminating, refuse new custom resources, delete the existing ones
   * and, once they are gone, release the cleanup finalizer so that the CRD itself goes.
   */
  private async finalize(crd: CustomResourceDefinition): Promise<void | { requeueAfterMs: number }> {
    const name = crd.metadata.name;
    if (!crd.metadata.finalizers?.includes(CLEANUP_FINALIZER)) return;
    const names = crd.status?.acceptedNames;
    const established = isConditionTrue(crd, 'Established') && names !== undefined;
    // Still served while its objects are deleted (also after a restart in the middle of it).
    if (established) this.serve(crd, names);
    const served = this.served.get(name);
    if (served) served.state.terminating = true;
    await this.setStatusCondition(name, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
    let done: CustomResourceDefinitionCondition;
    if (established && served) {
      const remaining = await this.deleteInstances(served.resources);
      if (remaining > 0) {
        this.logger.info({ crd: name, remaining }, 'waiting for custom resources to be deleted');
        return { requeueAfterMs: RECHECK_MS };
      }
      done = { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' };
    } else done = { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' };
    await this.setStatusCondition(name, done);
    // Not remembered: without its last finalizer the CRD is gone, and its names with it.
    await this.write(name, (c) => {
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
    });
    this.logger.info({ crd: name }, 'CRD finalized');
  }

  /**
   * Deletes every custom resource (all versions share one collection, so any served version reaches them all);
   * returns how many are still there.
   */
  private async deleteInstances(resources: ResourceType[]): Promise<number> {
    const rt = resources.find((r) => !r.storageVersion) ?? resources[0];
    if (!rt) return 0;
    const store = this.registry.storeFor(rt);
    const { items } = await store.list(undefined, {});
    let remaining = 0;
    for (const obj of items) {
      const meta = obj.metadata!;
      if (meta.deletionTimestamp) {
        remaining++;
        continue;
      }
      try {
        if (!(await store.delete(meta.namespace, meta.name, { propagationPolicy: 'Background' })).deleted) remaining++;
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
    }
    return remaining;
  }

  /** Registers (or re-registers, when its spec or names changed) the CRD's resources and schemas. */
  private serve(crd: CustomResourceDefinition, names: CustomResourceDefinitionNames): void {
    const name = crd.metadata.name;
    const key = JSON.stringify([crd.spec, names]);
    const previous = this.served.get(name);
    if (previous?.key === key) return;
    const state = previous?.state ?? { terminating: false };
    const registration = registrationFor(crd, names, state);
    // Replaced entries are removed first so that the registry drops their stores (and the hooks those hold).
    if (previous) this.withdraw(previous);
    this.registry.add(...registration.resources);
    this.schemas.addSchemas(registration.schemas);
    this.served.set(name, { key, ...registration, state });
    this.logger.info({ crd: name, versions: registration.resources.map((rt) => rt.version) }, 'serving custom resources');
  }

  private unserve(name: string): void {
    const served = this.served.get(name);
    if (!served) return;
    this.withdraw(served);
    this.served.delete(name);
    this.logger.info({ crd: name }, 'stopped serving custom resources');
  }

  /**
   * Removes what a registration added, but only what is still its own: once a CRD is gone, another CRD may already
   * serve the same resource path or kind.
   */
  private withdraw(served: Served): void {
    for (const rt of served.resources)
      if (this.registry.lookup(rt.group, rt.version, rt.plural) === rt) this.registry.remove(rt.group, rt.version, rt.plural);
    const own = Object.keys(served.schemas).filter((n) => this.schemas.get(n) === served.schemas[n]);
    if (own.length) this.schemas.removeSchemas(own);
  }

  private requeueGroup(group: string, except: string): void {
    for (const crd of this.crds.values()) if (crd.spec?.group === group && crd.metadata.name !== except) this.queue.add(crd.metadata.name);
  }

  private setStatusCondition(name: string, cond: CustomResourceDefinitionCondition): Promise<CustomResourceDefinition> {
    return this.update(name, (c) => setCondition(c, cond), 'status');
  }

  private async update(name: string, change: (crd: CustomResourceDefinition) => void, subresource?: 'status'): Promise<CustomResourceDefinition> {
    const updated = await this.write(name, change, subresource);
    this.remember(updated);
    return updated;
  }

  /** Read-modify-write of the CRD (its status with subresource 'status'); a write that changes nothing is skipped. */
  private async write(name: string, change: (crd: CustomResourceDefinition) => void, subresource?: 'status'): Promise<CustomResourceDefinition> {
    return (await this.crdStore().guaranteedUpdate(undefined, name, (current: KObject) => {
      change(current as CustomResourceDefinition);
      return current;
    }, { subresource })) as CustomResourceDefinition;
  }
}

/** Whether the CRD has what serving it needs (apiextensions validation guarantees it for CRDs it admitted). */
function usable(crd: CustomResourceDefinition): boolean {
  const spec = crd.spec;
  return !!spec?.group && !!spec.names?.plural && !!spec.names.kind && Array.isArray(spec.versions) && storageVersion(crd) !== undefined;
}

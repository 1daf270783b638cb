// What the execution and work status controllers both read: the Work and Cluster caches, the member clients and the
// object watcher over them, each synced before either controller starts its queue.
import type { Cluster } from '../../openapi/karmada/types.js';
import type { ControllerContext } from '../runtime/controller.js';
import type { SharedInformer } from '../runtime/informer.js';
import { CLUSTERS_PATH, MemberClients } from '../runtime/memberclient.js';
import { ObjectWatcher } from './objectwatcher.js';
import { WORKS_PATH, type Work } from './work.js';

export interface WorkCaches {
  works: SharedInformer<Work>;
  clusters: SharedInformer<Cluster>;
  members: MemberClients;
  watcher: ObjectWatcher;
}

/** The synced caches, or undefined when ctx stops first; throws if an informer stops before syncing. */
export async function syncedWorkCaches(ctx: ControllerContext, controller: string): Promise<WorkCaches | undefined> {
  const { informers, signal } = ctx;
  const works = informers.forResource<Work>(WORKS_PATH);
  const clusters = informers.forResource<Cluster>(CLUSTERS_PATH);
  const members = MemberClients.shared(ctx);
  const synced = await Promise.all([works.waitForSync(signal), clusters.waitForSync(signal), members.waitForSync(signal)]);
  if (signal.aborted) return undefined;
  if (!synced.every(Boolean)) throw new Error(`${controller} informers stopped before syncing`);
  return { works, clusters, members, watcher: ObjectWatcher.for(members) };
}

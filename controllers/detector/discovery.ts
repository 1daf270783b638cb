// Which resources the detector watches: every resource the apiserver serves that can be listed, watched and deleted
// (the garbage collector's GetDeletableResources, which Karmada's detector uses), in the version discovery prefers,
// except those Karmada skips (util.NewSkippedResourceConfig): its own federation API, events and leases.
import type { KeepAliveKubeConfig } from '../runtime/client.js';
import { restClient } from '../runtime/rest.js';

export interface WatchedResource {
  group: string;
  version: string;
  /** The plural resource name. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The collection path of r, across all namespaces when r is namespaced, or in one namespace. */
export function collectionPath(r: WatchedResource, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return namespace && r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.resource}` : `${base}/${r.resource}`;
}

export function objectPath(r: WatchedResource, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export interface GroupVersionResources {
  group: string;
  version: string;
  resources: APIResource[];
}

export interface DiscoveredGroup {
  name: string;
  /** Served versions in the server's order of preference, the preferred one first. */
  versions: string[];
}

/**
 * Whether the detector watches resource r of group/version: Karmada's skipped groups (any *.karmada.io, since none of
 * them are templates), events (core and events.k8s.io) and coordination.k8s.io/v1 leases; subresources; and
 * resources without list, watch and delete.
 */
export function watchable(group: string, version: string, r: APIResource): boolean {
  if (group === 'karmada.io' || group.endsWith('.karmada.io') || group === 'events.k8s.io') return false;
  if (group === 'coordination.k8s.io' && version === 'v1') return false;
  if (group === '' && r.name === 'events') return false;
  if (r.name.includes('/')) return false;
  const verbs = r.verbs ?? [];
  return ['list', 'watch', 'delete'].every((v) => verbs.includes(v));
}

/**
 * discovery.ServerPreferredResources filtered by watchable: each resource of a group once, in the preferred version
 * when that version serves it, else in the first version that does.
 */
export function preferredResources(groups: readonly DiscoveredGroup[], lists: readonly GroupVersionResources[]): WatchedResource[] {
  const byGV = new Map(lists.map((l) => [`${l.group}/${l.version}`, l]));
  const out: WatchedResource[] = [];
  for (const g of groups) {
    const seen = new Set<string>();
    for (const version of g.versions) {
      for (const r of byGV.get(`${g.name}/${version}`)?.resources ?? []) {
        if (seen.has(r.name) || !watchable(g.name, version, r)) continue;
        seen.add(r.name);
        out.push({ group: g.name, version, resource: r.name, kind: r.kind, namespaced: r.namespaced });
      }
    }
  }
  return out;
}

export interface Discovery {
  resources: WatchedResource[];
  /** Groups whose discovery failed this time: what was watched of them must be kept, not dropped. */
  failedGroups: Set<string>;
}

/** Reads /api and /apis and every served group version. A group version that fails to load fails its group only. */
export async function discover(kc: KeepAliveKubeConfig, signal?: AbortSignal): Promise<Discovery> {
  const rest = restClient(kc);
  const core = (await rest.request('GET', '/api', { signal })) as { versions: string[] };
  const apis = (await rest.request('GET', '/apis', { signal })) as { groups: { name: string; versions: { version: string }[]; preferredVersion?: { version: string } }[] };
  const groups: DiscoveredGroup[] = [
    { name: '', versions: core.versions },
    ...apis.groups.map((g) => {
      const versions = g.versions.map((v) => v.version);
      const preferred = g.preferredVersion?.version ?? versions[0];
      return { name: g.name, versions: [preferred, ...versions.filter((v) => v !== preferred)] };
    }),
  ];
  const failedGroups = new Set<string>();
  const lists = await Promise.all(
    groups.flatMap((g) =>
      g.versions.map(async (version): Promise<GroupVersionResources | undefined> => {
        const path = g.name ? `/apis/${g.name}/${version}` : `/api/${version}`;
        try {
          const list = (await rest.request('GET', path, { signal })) as { resources?: APIResource[] };
          return { group: g.name, version, resources: list.resources ?? [] };
        } catch {
          failedGroups.add(g.name);
          return undefined;
        }
      }),
    ),
  );
  return { resources: preferredResources(groups, lists.filter((l) => l !== undefined)), failedGroups };
}

// What the cluster status controller asks a member: is it healthy (/readyz, or /healthz where /readyz is not served),
// which Kubernetes version it runs (/version), and which APIs it serves (discovery).
import type { APIEnablement, APIResource } from '../../openapi/karmada/types.js';
import type { MemberClient, RawResponse } from '../runtime/memberclient.js';

export interface Health {
  /** The member answered its health endpoint with a success status. */
  online: boolean;
  /** ... and that status was 200. */
  healthy: boolean;
}

/** client-go treats only 200-206 as a response; anything else (or no answer) is an error. */
const succeeded = (r: RawResponse) => r.statusCode >= 200 && r.statusCode <= 206;

/**
 * getClusterHealthStatus: an error status or no answer at all makes a member unreachable, as in Karmada (client-go
 * turns a 503 into an error too); a success status other than 200 makes it reachable but unhealthy.
 */
export async function probeHealth(member: MemberClient, signal?: AbortSignal): Promise<Health> {
  const get = (path: string) => member.get(path, { accept: 'text/plain, */*', signal }).catch(() => undefined);
  let res = await get('/readyz');
  if (res?.statusCode === 404) res = await get('/healthz');
  if (!res || !succeeded(res)) return { online: false, healthy: false };
  return { online: true, healthy: res.statusCode === 200 };
}

/** The member's gitVersion; '' when it cannot be read, as Karmada records it. */
export async function kubernetesVersion(member: MemberClient, signal?: AbortSignal): Promise<string> {
  const res = await member.get('/version', { signal }).catch(() => undefined);
  if (!res || !succeeded(res)) return '';
  try {
    return String(JSON.parse(res.body).gitVersion ?? '');
  } catch {
    return '';
  }
}

export interface APIEnablements {
  enablements: APIEnablement[];
  /** Whether every group version could be read. */
  complete: boolean;
}

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface AggregatedList {
  items?: {
    metadata?: { name?: string };
    versions?: { version: string; freshness?: string; resources?: { resource: string; responseKind?: { kind?: string } }[] }[];
  }[];
}

interface ResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string }[];
}

/** Resources sorted by name, group versions by name, subresources left out: Cluster status apiEnablements. */
function enablement(groupVersion: string, resources: APIResource[]): APIEnablement {
  const kept = resources.filter((r) => !r.name.includes('/')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return kept.length ? { groupVersion, resources: kept } : { groupVersion };
}

function sorted(list: APIEnablement[]): APIEnablement[] {
  return list.sort((a, b) => (a.groupVersion < b.groupVersion ? -1 : a.groupVersion > b.groupVersion ? 1 : 0));
}

/**
 * The APIs the member serves, read with aggregated discovery (two requests) where the member offers it, else group
 * version by group version, as client-go's ServerGroupsAndResources does. Partial results come back incomplete.
 */
export async function apiEnablements(member: MemberClient, signal?: AbortSignal): Promise<APIEnablements> {
  return (await aggregatedEnablements(member, signal)) ?? legacyEnablements(member, signal);
}

async function aggregatedEnablements(member: MemberClient, signal?: AbortSignal): Promise<APIEnablements | undefined> {
  const out: APIEnablement[] = [];
  let complete = true;
  for (const path of ['/api', '/apis']) {
    const res = await member.get(path, { accept: `${AGGREGATED},application/json`, signal }).catch(() => undefined);
    if (!res || !succeeded(res) || !String(res.headers['content-type'] ?? '').includes('as=APIGroupDiscoveryList')) return undefined;
    const list = JSON.parse(res.body) as AggregatedList;
    for (const group of list.items ?? []) {
      for (const v of group.versions ?? []) {
        // A stale group version is one the member could not discover right now.
        if (v.freshness === 'Stale') {
          complete = false;
          continue;
        }
        const gv = group.metadata?.name ? `${group.metadata.name}/${v.version}` : v.version;
        out.push(enablement(gv, (v.resources ?? []).map((r) => ({ name: r.resource, kind: r.responseKind?.kind ?? '' }))));
      }
    }
  }
  return { enablements: sorted(out), complete };
}

async function legacyEnablements(member: MemberClient, signal?: AbortSignal): Promise<APIEnablements> {
  const getJSON = async <T>(path: string): Promise<T | undefined> => {
    const res = await member.get(path, { signal }).catch(() => undefined);
    if (!res || !succeeded(res)) return undefined;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      return undefined;
    }
  };
  const core = await getJSON<{ versions?: string[] }>('/api');
  const groups = await getJSON<{ groups?: { name: string; versions: { groupVersion: string }[] }[] }>('/apis');
  const groupVersions = [...(core?.versions ?? []), ...(groups?.groups ?? []).flatMap((g) => g.versions.map((v) => v.groupVersion))];
  let complete = !!core && !!groups;
  const out: APIEnablement[] = [];
  for (const gv of groupVersions) {
    const list = await getJSON<ResourceList>(gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`);
    if (!list) {
      complete = false;
      continue;
    }
    out.push(enablement(gv, (list.resources ?? []).map((r) => ({ name: r.name, kind: r.kind }))));
  }
  return { enablements: sorted(out), complete };
}

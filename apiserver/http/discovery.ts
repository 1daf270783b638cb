// Discovery documents: legacy (/api, /api/v1, /apis, /apis/G, /apis/G/V) and aggregated (apidiscovery.k8s.io v2 and
// v2beta1 on /api and /apis). Built from the registry and cached until the registry changes.
import { createHash } from 'node:crypto';
import type { Registry } from '../registry/registry.js';
import { ALL_VERBS, type ResourceType } from '../registry/types.js';

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** kube's version priority: GA > beta > alpha, higher major first, then higher minor. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    return [3 - (m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0), Number(m[1]), Number(m[3] ?? 0), v] as const;
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pb[i] as number) - (pa[i] as number);
  return a.localeCompare(b);
}

// The order kube-apiserver lists its groups in; other groups follow alphabetically.
const GROUP_ORDER = [
  '',
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
];

interface GroupEntry {
  name: string;
  versions: Map<string, ResourceType[]>;
}

function storageVersionHash(rt: ResourceType): string {
  // kube hashes "group/version/kind", so core kinds hash "/v1/Kind".
  const [group, version] = rt.storageVersion ? rt.storageVersion.split('/') : [rt.group, rt.version];
  return createHash('sha256').update(`${group}/${version}/${rt.kind}`).digest().subarray(0, 8).toString('base64');
}

function verbsOf(rt: ResourceType): string[] {
  return [...(rt.verbs ?? ALL_VERBS)].sort();
}

export interface CachedDocument {
  body: string;
  etag: string;
}

function cached(value: unknown): CachedDocument {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"` };
}

export class Discovery {
  private generation = -1;
  private groups: GroupEntry[] = [];
  private docs = new Map<string, CachedDocument>();

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.generation === this.registry.generation) return;
    this.generation = this.registry.generation;
    this.docs.clear();
    const byGroup = new Map<string, GroupEntry>();
    for (const rt of this.registry.all()) {
      let g = byGroup.get(rt.group);
      if (!g) byGroup.set(rt.group, (g = { name: rt.group, versions: new Map() }));
      const list = g.versions.get(rt.version) ?? [];
      list.push(rt);
      g.versions.set(rt.version, list);
    }
    for (const g of byGroup.values()) for (const list of g.versions.values()) list.sort((a, b) => a.plural.localeCompare(b.plural));
    const rank = (name: string) => {
      const i = GROUP_ORDER.indexOf(name);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    this.groups = [...byGroup.values()].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  }

  private memo(key: string, build: () => unknown): CachedDocument | undefined {
    this.refresh();
    let doc = this.docs.get(key);
    if (!doc) {
      const value = build();
      if (value === undefined) return undefined;
      doc = cached(value);
      this.docs.set(key, doc);
    }
    return doc;
  }

  private sortedVersions(g: GroupEntry): string[] {
    return [...g.versions.keys()].sort(compareKubeVersions);
  }

  apiVersions(serverAddress: string): unknown {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  private apiGroup(g: GroupEntry): unknown {
    const versions = this.sortedVersions(g).map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  apiGroupList(): CachedDocument {
    return this.memo('groups', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups.filter((g) => g.name !== '').map((g) => this.apiGroup(g)),
    }))!;
  }

  apiGroupDoc(group: string): CachedDocument | undefined {
    return this.memo(`group/${group}`, () => {
      const g = this.groups.find((x) => x.name === group && group !== '');
      return g && { kind: 'APIGroup', apiVersion: 'v1', ...(this.apiGroup(g) as object) };
    });
  }

  apiResourceList(group: string, version: string): CachedDocument | undefined {
    return this.memo(`resources/${group}/${version}`, () => {
      const rts = this.groups.find((x) => x.name === group)?.versions.get(version);
      if (!rts) return undefined;
      const resources: unknown[] = [];
      for (const rt of rts) {
        resources.push({
          name: rt.plural,
          singularName: rt.singular,
          namespaced: rt.namespaced,
          kind: rt.kind,
          verbs: verbsOf(rt),
          ...(rt.shortNames?.length ? { shortNames: rt.shortNames } : {}),
          ...(rt.categories?.length ? { categories: rt.categories } : {}),
          storageVersionHash: storageVersionHash(rt),
        });
        for (const sub of subresources(rt))
          resources.push({ name: `${rt.plural}/${sub.name}`, singularName: '', namespaced: rt.namespaced, ...sub.kind, verbs: sub.verbs });
      }
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
    });
  }

  /** Aggregated discovery for /api (legacy: true) or /apis. */
  aggregated(legacy: boolean, version: 'v2' | 'v2beta1'): CachedDocument {
    return this.memo(`aggregated/${legacy}/${version}`, () => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: this.groups
        .filter((g) => (g.name === '') === legacy)
        .map((g) => ({
          metadata: g.name ? { name: g.name, creationTimestamp: null } : { creationTimestamp: null },
          versions: this.sortedVersions(g).map((v) => ({
            version: v,
            resources: g.versions.get(v)!.map((rt) => ({
              resource: rt.plural,
              responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
              scope: rt.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: rt.singular,
              verbs: verbsOf(rt),
              ...(rt.shortNames?.length ? { shortNames: rt.shortNames } : {}),
              ...(rt.categories?.length ? { categories: rt.categories } : {}),
              ...(subresources(rt).length
                ? {
                    subresources: subresources(rt).map((s) => ({
                      subresource: s.name,
                      responseKind: { group: s.kind.group ?? rt.group, version: s.kind.version ?? rt.version, kind: s.kind.kind },
                      verbs: s.verbs,
                    })),
                  }
                : {}),
            })),
            freshness: 'Current',
          })),
        })),
    }))!;
  }
}

function subresources(rt: ResourceType): { name: string; kind: { group?: string; version?: string; kind: string }; verbs: string[] }[] {
  const subs: { name: string; kind: { group?: string; version?: string; kind: string }; verbs: string[] }[] = [];
  if (rt.kind === 'Namespace' && !rt.group) subs.push({ name: 'finalize', kind: { kind: rt.kind }, verbs: ['update'] });
  if (rt.subresources?.scale) subs.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: SUBRESOURCE_VERBS });
  if (rt.subresources?.status) subs.push({ name: 'status', kind: { kind: rt.kind }, verbs: SUBRESOURCE_VERBS });
  return subs;
}

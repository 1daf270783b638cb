// `node dist/openapi/karmada/generate.js DIR`: regenerates generated/crds.json and types.ts from Karmada's published
// API definitions in DIR, which stay outside the repository:
//   - the CRD manifests of charts/karmada/_crds/bases/{policy,work}/ (file names as upstream), and
//   - pkg/apis/cluster/v1alpha1/types.go saved as cluster_v1alpha1_types.go: Karmada serves Cluster from its
//     aggregated apiserver and publishes no CRD for it, so its schema is derived from the Go types.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../storage/store.js';
import { stableStringify } from '../facts.js';
import { CRDS_FILE } from './crds.js';
import { crdFacts } from './facts.js';
import { renderTypes, TYPES_FILE } from './generate-types.js';
import { goTypeSchema, parseGoTypes, resourceMarkers } from './gotypes.js';

const MANIFESTS = [
  'policy.karmada.io_propagationpolicies.yaml',
  'policy.karmada.io_clusterpropagationpolicies.yaml',
  'policy.karmada.io_overridepolicies.yaml',
  'policy.karmada.io_clusteroverridepolicies.yaml',
  'work.karmada.io_resourcebindings.yaml',
  'work.karmada.io_clusterresourcebindings.yaml',
  'work.karmada.io_works.yaml',
];

const CLUSTER_TYPES = 'cluster_v1alpha1_types.go';

/**
 * Cluster's columns are those of Karmada's table printer (pkg/printers/internalversion), which the aggregated
 * apiserver uses in place of CRD printer columns; the wide ones have priority 1.
 */
const CLUSTER_COLUMNS = [
  { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
  { name: 'Mode', type: 'string', jsonPath: '.spec.syncMode' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Zones', type: 'string', priority: 1, jsonPath: '.spec.zones' },
  { name: 'Region', type: 'string', priority: 1, jsonPath: '.spec.region' },
  { name: 'Provider', type: 'string', priority: 1, jsonPath: '.spec.provider' },
  { name: 'API-Endpoint', type: 'string', priority: 1, jsonPath: '.spec.apiEndpoint' },
  { name: 'Proxy-URL', type: 'string', priority: 1, jsonPath: '.spec.proxyURL' },
];

/**
 * Wide columns added to the binding CRDs' storage version: Karmada's columns say whether a binding is scheduled and
 * applied but not where, and `kubectl get rb -o wide` should. A printer column shows only its path's first match, so
 * CLUSTERS reads the whole list (printed as JSON: each cluster with its replicas).
 */
const BINDING_WIDE_COLUMNS = [
  { name: 'REPLICAS', type: 'integer', priority: 1, jsonPath: '.spec.replicas' },
  { name: 'CLUSTERS', type: 'string', priority: 1, jsonPath: '.spec.clusters' },
];
const BINDING_CRDS = new Set(['resourcebindings.work.karmada.io', 'clusterresourcebindings.work.karmada.io']);

function withBindingColumns(crd: KObject): KObject {
  if (!BINDING_CRDS.has(crd.metadata!.name)) return crd;
  const versions = (crd.spec as { versions: { storage: boolean; additionalPrinterColumns?: object[] }[] }).versions.map((v) =>
    v.storage ? { ...v, additionalPrinterColumns: [...(v.additionalPrinterColumns ?? []), ...BINDING_WIDE_COLUMNS] } : v,
  );
  return { ...crd, spec: { ...(crd.spec as object), versions } };
}

/** The Cluster CRD Karmada would publish if it served clusters from CRDs. */
function clusterCRD(goSource: string): KObject {
  const types = parseGoTypes(goSource);
  const { scope, status } = resourceMarkers(types, 'Cluster');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'clusters.cluster.karmada.io' },
    spec: {
      group: 'cluster.karmada.io',
      names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
      scope,
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          ...(status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: CLUSTER_COLUMNS,
          schema: { openAPIV3Schema: goTypeSchema(types, 'Cluster') },
        },
      ],
    },
  };
}

/** Every federation CRD from the sources in `dir`, sorted by name. */
function federationCRDsFrom(dir: string): KObject[] {
  const crds = MANIFESTS.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => doc.toJS() as KObject | null)
      .filter((doc): doc is KObject => doc !== null)
      .map(crdFacts)
      .map(withBindingColumns),
  );
  crds.push(clusterCRD(readFileSync(join(dir, CLUSTER_TYPES), 'utf8')));
  return crds.sort((a, b) => a.metadata!.name.localeCompare(b.metadata!.name));
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node dist/openapi/karmada/generate.js DIR');
  const crds = federationCRDsFrom(dir);
  const out = fileURLToPath(CRDS_FILE);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, stableStringify(crds, 1) + '\n');
  writeFileSync(fileURLToPath(TYPES_FILE), renderTypes(crds));
  console.log(`wrote ${crds.length} CRDs to ${out} and their types to ${fileURLToPath(TYPES_FILE)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

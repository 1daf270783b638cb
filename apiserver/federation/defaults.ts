// Defaulting of the federation kinds as Karmada's mutating webhook does it (karmada pkg/webhook/*/mutating.go and
// the helpers they call). Field defaults declared in the CRD schemas (conflictResolution Abort, priority 0,
// preemption Never, schedulerName default-scheduler, ...) are the CRD machinery's, not repeated here.
//
// In kube, CRD schema defaults are applied when the request is decoded, before any webhook. Here the mutating
// admission may run first, so where Karmada tests a field the schema defaults, an absent field counts as that default.
type Obj = Record<string, any>;

/** The taints the cluster controllers put on unhealthy clusters, tolerated for a while by every policy. */
const NOT_READY_TAINT = 'cluster.karmada.io/not-ready';
const UNREACHABLE_TAINT = 'cluster.karmada.io/unreachable';
/** karmada-webhook's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;
/** SetDefaultGracePeriodSeconds' value. */
const DEFAULT_GRACE_PERIOD_SECONDS = 600;
/** validation.LabelValueMaxLength: the name goes into labels of the bindings and works. */
export const POLICY_NAME_MAX_LENGTH = 63;

export const PERMANENT_ID_LABEL = {
  PropagationPolicy: 'propagationpolicy.karmada.io/permanent-id',
  ClusterPropagationPolicy: 'clusterpropagationpolicy.karmada.io/permanent-id',
} as const;

/** The labels karmada-webhook gives each binding on creation, which its Works carry to name it. */
export const BINDING_PERMANENT_ID_LABEL = {
  ResourceBinding: 'resourcebinding.karmada.io/permanent-id',
  ClusterResourceBinding: 'clusterresourcebinding.karmada.io/permanent-id',
} as const;

/** The ResourceBinding/ClusterResourceBinding mutation: a permanent id unless the creator brought one. */
export function defaultBinding(binding: Obj, kind: keyof typeof BINDING_PERMANENT_ID_LABEL, newID: () => string): void {
  const labels = (binding.metadata.labels ??= {});
  if (!labels[BINDING_PERMANENT_ID_LABEL[kind]]) labels[BINDING_PERMANENT_ID_LABEL[kind]] = newID();
}

/** The PropagationPolicy/ClusterPropagationPolicy mutations; `namespace` is the request's for a PropagationPolicy. */
export function defaultPropagationPolicy(
  policy: Obj,
  kind: keyof typeof PERMANENT_ID_LABEL,
  namespace: string | undefined,
  newID: () => string,
): void {
  const labels = (policy.metadata.labels ??= {});
  if (!labels[PERMANENT_ID_LABEL[kind]]) labels[PERMANENT_ID_LABEL[kind]] = newID();
  const spec = (policy.spec ??= {});
  if (namespace !== undefined) defaultSelectorNamespaces(spec, namespace);
  const placement = (spec.placement ??= {});
  for (const c of placement.spreadConstraints ?? []) {
    if (!c.spreadByLabel && !c.spreadByField) c.spreadByField = 'cluster';
    if (!c.minGroups) c.minGroups = 1;
  }
  addToleration(placement, NOT_READY_TAINT);
  addToleration(placement, UNREACHABLE_TAINT);
  if ((spec.resourceSelectors ?? []).some((s: Obj) => s.apiVersion === 'multicluster.x-k8s.io/v1alpha1' && s.kind === 'ServiceImport'))
    spec.propagateDeps = true;
  const replicas = placement.replicaScheduling;
  if (replicas && (replicas.replicaSchedulingType ?? 'Divided') === 'Divided' && !replicas.replicaDivisionPreference)
    replicas.replicaDivisionPreference = 'Weighted';
  const app = spec.failover?.application;
  if (app && (app.purgeMode ?? 'Graciously') === 'Graciously' && app.gracePeriodSeconds === undefined)
    app.gracePeriodSeconds = DEFAULT_GRACE_PERIOD_SECONDS;
}

/** The OverridePolicy mutation: selectors without a namespace select in the policy's. */
export function defaultOverridePolicy(policy: Obj, namespace: string): void {
  defaultSelectorNamespaces((policy.spec ??= {}), namespace);
}

function defaultSelectorNamespaces(spec: Obj, namespace: string): void {
  for (const s of spec.resourceSelectors ?? []) if (!s.namespace) s.namespace = namespace;
}

/**
 * helper.AddTolerations with NewNotReadyToleration/NewUnreachableToleration: added unless one matches it (kube's
 * MatchToleration: same key, operator, value and effect, whatever its seconds).
 */
function addToleration(placement: Obj, key: string): void {
  const wanted = { key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS };
  const tolerations: Obj[] = (placement.clusterTolerations ??= []);
  const equal = (t: Obj) =>
    t.key === wanted.key && t.operator === wanted.operator && (t.value ?? '') === '' && t.effect === wanted.effect;
  if (!tolerations.some(equal)) tolerations.push(wanted);
}

/** mutation.MutateCluster, then the resource models (CustomizedClusterResourceModeling, on by default). */
export function defaultCluster(cluster: Obj, now: () => Date): void {
  const spec = (cluster.spec ??= {});
  for (const t of spec.taints ?? []) if (t.effect === 'NoExecute' && !t.timeAdded) t.timeAdded = rfc3339(now());
  if (spec.zone && !(spec.zones?.length > 0)) {
    spec.zones = [spec.zone];
    delete spec.zone;
  }
  if (!(spec.resourceModels?.length > 0)) spec.resourceModels = defaultResourceModels();
  else standardizeResourceModels(spec.resourceModels);
}

/** resource.Quantity of math.MaxInt64, as it serializes. */
const MAX_INT64 = '9223372036854775807';

/** SetDefaultClusterResourceModels: grades 0..8, CPU doubling from 1 core, memory from 4Gi; the last is unbounded. */
function defaultResourceModels(): Obj[] {
  const gi = (n: number) => (n === 0 ? '0' : n % 1024 === 0 ? `${n / 1024}Ti` : `${n}Gi`);
  const cpuBounds = [0, 1, 2, 4, 8, 16, 32, 64, 128];
  const memBounds = [0, 4, 16, 32, 64, 128, 256, 512, 1024];
  return cpuBounds.map((cpu, grade) => {
    const last = grade === cpuBounds.length - 1;
    return {
      grade,
      ranges: [
        { name: 'cpu', min: String(cpu), max: last ? MAX_INT64 : String(cpuBounds[grade + 1]) },
        { name: 'memory', min: gi(memBounds[grade]), max: last ? MAX_INT64 : gi(memBounds[grade + 1]) },
      ],
    };
  });
}

/** StandardizeClusterResourceModels: sorted by grade, the first grade starts at 0 and the last one is unbounded. */
function standardizeResourceModels(models: Obj[]): void {
  models.sort((a, b) => (a.grade ?? 0) - (b.grade ?? 0));
  for (const r of models[0].ranges ?? []) r.min = '0';
  for (const r of models[models.length - 1].ranges ?? []) r.max = MAX_INT64;
}

/** metav1.Time's JSON form: RFC 3339 in UTC, whole seconds. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

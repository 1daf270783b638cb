// Validation of the federation kinds as Karmada's validating webhook does it (karmada pkg/util/validation and
// pkg/apis/cluster/validation), with Karmada's texts and field paths. A few rules the CRD schemas also state (required
// selector fields, the weight minimum, the overriders' enums) are repeated with the schema's texts, so that the
// webhook's contract holds by itself; where the CRD machinery validates the schema first, they never fire.
import type { FieldError } from '../errors.js';
import { dns1123Label, labelValue, qualifiedName, validateAnnotations, validateLabels } from '../registry/validation.js';

type Obj = Record<string, any>;

const invalid = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, badValue, detail });
const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
const notSupported = (field: string, badValue: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  badValue,
  detail: `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`,
});

/** Go's %q for the strings in Karmada's messages. */
const q = (v: unknown) => JSON.stringify(String(v ?? ''));

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v : []);

// ---- PropagationPolicy / ClusterPropagationPolicy ----

/** ValidatePropagationSpec, plus the schema's required selector fields. */
export function validatePropagationSpec(spec: Obj): FieldError[] {
  const errs = validateResourceSelectors(spec.resourceSelectors, 'spec.resourceSelectors');
  errs.push(...validatePlacement(spec.placement ?? {}, 'spec.placement'));
  if (spec.failover?.application && !spec.propagateDeps)
    errs.push(invalid('spec.propagateDeps', spec.propagateDeps ?? false, 'application failover is set, propagateDeps must be true'));
  errs.push(...validateApplicationFailover(spec.failover?.application, 'spec.failover.application'));
  if (spec.preemption === 'Always')
    list(spec.resourceSelectors).forEach((s, i) => {
      if (!s.name)
        errs.push(invalid(`spec.resourceSelectors[${i}].name`, s.name ?? '', 'name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption'));
    });
  const suspension = spec.suspension;
  if (suspension?.dispatching === true && list(suspension.dispatchingOnClusters?.clusterNames).length > 0)
    errs.push(invalid('spec.suspension', suspension, 'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames'));
  return errs;
}

function validateResourceSelectors(selectors: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(selectors).forEach((s, i) => {
    if (!s.apiVersion) errs.push(required(`${path}[${i}].apiVersion`));
    if (!s.kind) errs.push(required(`${path}[${i}].kind`));
  });
  return errs;
}

function validatePlacement(placement: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (placement.clusterAffinity && placement.clusterAffinities)
    errs.push(invalid(path, placement, 'clusterAffinities cannot co-exist with clusterAffinity'));
  errs.push(...validateClusterAffinity(placement.clusterAffinity, `${path}.clusterAffinity`));
  errs.push(...validateClusterAffinities(placement.clusterAffinities, `${path}.clusterAffinities`));
  errs.push(...validateSpreadConstraints(list(placement.spreadConstraints), `${path}.spreadConstraints`));
  const weightsPath = `${path}.replicaScheduling.weightPreference.staticWeightList`;
  list(placement.replicaScheduling?.weightPreference?.staticWeightList).forEach((w, i) => {
    if (typeof w.weight === 'number' && w.weight < 1)
      errs.push(invalid(`${weightsPath}[${i}].weight`, w.weight, `${weightsPath}[${i}].weight in body should be greater than or equal to 1`));
  });
  return errs;
}

function validateClusterAffinity(affinity: Obj | undefined, path: string): FieldError[] {
  const problem = affinity && fieldSelectorProblem(affinity.fieldSelector);
  return problem ? [invalid(`${path}.fieldSelector`, affinity!.fieldSelector, problem)] : [];
}

function validateClusterAffinities(affinities: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(affinities).forEach((term, i) => {
    const name = String(term.affinityName ?? '');
    for (const detail of qualifiedName(name)) errs.push(invalid(`${path}[${i}]`, name, detail));
    if (seen.has(name)) errs.push(invalid(path, affinities, 'each affinity term in a policy must have a unique name'));
    seen.add(name);
    errs.push(...validateClusterAffinity(term, `${path}[${i}]`));
  });
  return errs;
}

/** ValidatePolicyFieldSelector: clusters are selected by provider, region or zone, with In or NotIn. */
function fieldSelectorProblem(selector: Obj | undefined): string | undefined {
  for (const e of list(selector?.matchExpressions)) {
    if (!['provider', 'region', 'zone'].includes(e.key)) return `unsupported key ${q(e.key)}, must be provider, region, or zone`;
    if (!['In', 'NotIn'].includes(e.operator)) return `unsupported operator ${q(e.operator)}, must be In or NotIn`;
  }
  return undefined;
}

/** ValidateSpreadConstraint. Go's zero values stand in for absent numbers. */
function validateSpreadConstraints(constraints: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  // Per spreadByField: reported as repeated yet? (each repeated field is reported once)
  const reported = new Map<string, boolean>();
  constraints.forEach((c, i) => {
    const min = c.minGroups ?? 0;
    const max = c.maxGroups ?? 0;
    if (c.spreadByField && c.spreadByLabel) errs.push(invalid(`${path}[${i}]`, c, 'spreadByLabel should not co-exist with spreadByField'));
    if (min < 0) errs.push(invalid(`${path}[${i}]`, c, 'minGroups lower than 0 is not allowed'));
    if (max < 0) errs.push(invalid(`${path}[${i}]`, c, 'maxGroups lower than 0 is not allowed'));
    if (max > 0 && max < min) errs.push(invalid(`${path}[${i}]`, c, 'maxGroups lower than minGroups is not allowed'));
    if (c.spreadByField) {
      const done = reported.get(c.spreadByField);
      if (done === false) {
        errs.push(invalid(path, constraints, `multiple ${c.spreadByField} spread constraints are not allowed`));
        reported.set(c.spreadByField, true);
      } else if (done === undefined) reported.set(c.spreadByField, false);
    }
  });
  if (reported.size > 0 && !reported.has('cluster'))
    errs.push(invalid(path, constraints, 'the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled'));
  return errs;
}

/** ValidateApplicationFailover. An absent purgeMode is the schema default, Graciously. */
function validateApplicationFailover(app: Obj | undefined, path: string): FieldError[] {
  if (!app) return [];
  const errs: FieldError[] = [];
  const toleration = app.decisionConditions?.tolerationSeconds;
  if (typeof toleration === 'number' && toleration < 0)
    errs.push(invalid(`${path}.decisionConditions.tolerationSeconds`, toleration, 'must be greater than or equal to 0'));
  const gracious = (app.purgeMode ?? 'Graciously') === 'Graciously';
  const grace = app.gracePeriodSeconds;
  if (!gracious && grace !== undefined) errs.push(invalid(`${path}.gracePeriodSeconds`, grace, 'only takes effect when purgeMode is graciously'));
  if (gracious && grace === undefined) errs.push(invalid(`${path}.gracePeriodSeconds`, null, 'should not be empty when purgeMode is graciously'));
  if (grace !== undefined && grace <= 0) errs.push(invalid(`${path}.gracePeriodSeconds`, grace, 'must be greater than 0'));
  return errs;
}

// ---- OverridePolicy / ClusterOverridePolicy ----

const OVERRIDERS = ['plaintext', 'imageOverrider', 'commandOverrider', 'argsOverrider', 'labelsOverrider', 'annotationsOverrider'];
const OPERATORS = ['add', 'remove', 'replace'];
const IMAGE_COMPONENTS = ['Registry', 'Repository', 'Tag'];

/** ValidateOverrideSpec, plus the schema's enums of plaintext and image overriders. */
export function validateOverrideSpec(spec: Obj): FieldError[] {
  const errs = validateResourceSelectors(spec.resourceSelectors, 'spec.resourceSelectors');
  errs.push(...validateClusterAffinity(spec.targetCluster, 'spec.targetCluster'));
  if (spec.targetCluster && spec.overrideRules) errs.push(invalid('spec.targetCluster', spec.targetCluster, "overrideRules and targetCluster can't co-exist"));
  if (spec.overrideRules && OVERRIDERS.some((o) => list(spec.overriders?.[o]).length > 0))
    errs.push(invalid('spec.overriders', spec.overriders, "overrideRules and overriders can't co-exist"));
  list(spec.overrideRules).forEach((rule, i) => errs.push(...validateOverrideRule(rule, `spec.overrideRules[${i}]`)));
  return errs;
}

function validateOverrideRule(rule: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const o = rule.overriders ?? {};
  const at = (kind: string, i: number) => `${path}.overriders.${kind}[${i}]`;
  list(o.annotationsOverrider).forEach((a, i) => errs.push(...validateAnnotations(a.value, `${at('annotationsOverrider', i)}.value`)));
  list(o.labelsOverrider).forEach((l, i) => errs.push(...validateLabels(l.value, `${at('labelsOverrider', i)}.value`)));
  list(o.plaintext).forEach((p, i) => {
    if (!OPERATORS.includes(p.operator)) errs.push(notSupported(`${at('plaintext', i)}.operator`, p.operator ?? '', OPERATORS));
    if (!p.path) errs.push(required(`${at('plaintext', i)}.path`));
  });
  list(o.imageOverrider).forEach((img, i) => {
    if (!IMAGE_COMPONENTS.includes(img.component)) errs.push(notSupported(`${at('imageOverrider', i)}.component`, img.component ?? '', IMAGE_COMPONENTS));
    if (!OPERATORS.includes(img.operator)) errs.push(notSupported(`${at('imageOverrider', i)}.operator`, img.operator ?? '', OPERATORS));
    const problem = img.predicate && jsonPointerProblem(img.predicate.path);
    if (problem) errs.push(invalid(`${at('imageOverrider', i)}.predicate.path`, img.predicate.path, problem));
  });
  list(o.fieldOverrider).forEach((f, i) => {
    const fieldPath = at('fieldOverrider', i);
    if (list(f.yaml).length > 0 && list(f.json).length > 0) errs.push(invalid(fieldPath, f, 'FieldOverrider has both YAML and JSON set. Only one is allowed'));
    const problem = jsonPointerProblem(f.fieldPath);
    if (problem) errs.push(invalid(`${fieldPath}.fieldPath`, f.fieldPath, problem));
    for (const format of ['json', 'yaml']) errs.push(...validatePatchOperations(list(f[format]), `${fieldPath}.${format}`));
  });
  errs.push(...validateClusterAffinity(rule.targetCluster, `${path}.targetCluster`));
  return errs;
}

function validatePatchOperations(ops: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  ops.forEach((op, i) => {
    const problem = jsonPointerProblem(op.subPath);
    if (problem) errs.push(invalid(`${path}[${i}].subPath`, op.subPath, problem));
    if ((op.operator === 'add' || op.operator === 'replace') && op.value === undefined)
      errs.push(invalid(`${path}[${i}].value`, null, 'value is required for add or replace operation'));
    if (op.operator === 'remove' && op.value !== undefined) errs.push(invalid(`${path}[${i}].value`, op.value, 'value is not allowed for remove operation'));
  });
  return errs;
}

/** go-openapi/jsonpointer.New's check. */
function jsonPointerProblem(pointer: unknown): string | undefined {
  const p = String(pointer ?? '');
  return p === '' || p.startsWith('/') ? undefined : 'JSON pointer must be empty or start with a "/"';
}

// ---- Cluster ----

const CLUSTER_NAME_MAX_LENGTH = 48;
const SYNC_MODES = ['Pull', 'Push'];
const TAINT_EFFECTS = ['NoSchedule', 'NoExecute'];
const URL_FORM = '; desired format: hostname, hostname:port, IP or IP:port';

/** ValidateCluster (the name rule and the spec; generic metadata is the registry's). */
export function validateCluster(cluster: Obj): FieldError[] {
  const name = String(cluster.metadata?.name ?? '');
  const errs = clusterNameProblems(name).map((detail) => invalid('metadata.name', name, detail));
  return [...errs, ...validateClusterSpec(cluster.spec ?? {}, 'spec')];
}

/** ValidateClusterName: the name prefixes an execution namespace ("karmada-es-"), so it is shorter than a label. */
function clusterNameProblems(name: string): string[] {
  if (name.length === 0) return ['must be not empty'];
  if (name.length > CLUSTER_NAME_MAX_LENGTH) return [`must be no more than ${CLUSTER_NAME_MAX_LENGTH} characters`];
  return dns1123Label(name);
}

function validateClusterSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.syncMode) errs.push(required(`${path}.syncMode`));
  if (!SYNC_MODES.includes(spec.syncMode)) errs.push(notSupported(`${path}.syncMode`, spec.syncMode ?? '', SYNC_MODES));
  if (spec.apiEndpoint) errs.push(...validateAPIEndpoint(`${path}.apiEndpoint`, spec.apiEndpoint));
  for (const ref of ['secretRef', 'impersonatorSecretRef']) {
    if (!spec[ref]) continue;
    if (!spec[ref].namespace) errs.push(required(`${path}.${ref}.namespace`));
    if (!spec[ref].name) errs.push(required(`${path}.${ref}.name`));
  }
  if (spec.proxyURL) errs.push(...validateProxyURL(`${path}.proxyURL`, spec.proxyURL));
  errs.push(...validateClusterTaints(list(spec.taints), `${path}.taints`));
  return errs;
}

function validateAPIEndpoint(path: string, endpoint: string): FieldError[] {
  const u = parseGoURL(endpoint);
  if ('error' in u) return [invalid(path, endpoint, `apiEndpoint must be a valid URL: ${u.error}${URL_FORM}`)];
  const errs: FieldError[] = [];
  if (!u.host) errs.push(invalid(path, u.host, `host must be provided${URL_FORM}`));
  if (u.user !== undefined) errs.push(invalid(path, u.user, 'user information is not permitted in the URL'));
  if (u.fragment) errs.push(invalid(path, u.fragment, 'fragments are not permitted in the URL'));
  if (u.rawQuery) errs.push(invalid(path, u.rawQuery, 'query parameters are not permitted in the URL'));
  return errs;
}

function validateProxyURL(path: string, proxyURL: string): FieldError[] {
  const u = parseGoURL(proxyURL);
  // Karmada reports a proxyURL that does not parse with the apiEndpoint text.
  if ('error' in u) return [invalid(path, proxyURL, `apiEndpoint must be a valid URL: ${u.error}`)];
  if (['http', 'https', 'socks5'].includes(u.scheme)) return [];
  return [invalid(path, proxyURL, `unsupported scheme ${q(u.scheme)}, must be http, https, or socks5`)];
}

/** ValidateClusterTaints: label-like key and value, an effect the cluster controllers act on, unique key/effect. */
function validateClusterTaints(taints: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const at = `${path}[${i}]`;
    for (const detail of qualifiedName(String(t.key ?? ''))) errs.push(invalid(`${at}.key`, t.key ?? '', detail));
    const valueProblems = labelValue(String(t.value ?? ''));
    if (valueProblems.length) errs.push(invalid(`${at}.value`, t.value, valueProblems.join(';')));
    if (!t.effect) errs.push(required(`${at}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
    const id = `${t.effect}\u0000${t.key}`;
    if (seen.has(id)) errs.push({ type: 'FieldValueDuplicate', field: at, badValue: t, detail: 'taints must be unique by key and effect pair' });
    seen.add(id);
  });
  return errs;
}

interface GoURL {
  scheme: string;
  host: string;
  user?: string;
  rawQuery: string;
  fragment: string;
}

/** The parts of Go's net/url.Parse that Karmada's checks read, with its error texts. */
export function parseGoURL(raw: string): GoURL | { error: string } {
  const fail = (why: string) => ({ error: `parse ${JSON.stringify(raw)}: ${why}` });
  if (/[\u0000-\u001f\u007f]/.test(raw)) return fail('net/url: invalid control character in URL');
  const [beforeFragment, fragment = ''] = cut(raw, '#');
  if (beforeFragment.startsWith(':')) return fail('missing protocol scheme');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(beforeFragment)?.[1] ?? '';
  const [rest, rawQuery = ''] = cut(scheme ? beforeFragment.slice(scheme.length + 1) : beforeFragment, '?');
  if (!scheme && !rest.startsWith('/') && rest.split('/')[0].includes(':')) return fail('first path segment in URL cannot contain colon');
  if (!rest.startsWith('//')) return { scheme: scheme.toLowerCase(), host: '', rawQuery, fragment };
  const authority = rest.slice(2).split('/')[0];
  const at = authority.lastIndexOf('@');
  const host = authority.slice(at + 1);
  if (/[\s<>"{}|\\^`]/.test(host)) return fail(`invalid character ${JSON.stringify(/[\s<>"{}|\\^`]/.exec(host)![0])} in host name`);
  return { scheme: scheme.toLowerCase(), host, user: at >= 0 ? authority.slice(0, at) : undefined, rawQuery, fragment };
}

function cut(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

// The /openapi/v3/<group-version> document: the REST operations of each served resource and the component schemas
// they reference. Clients read two things from it: kubectl's --validate=strict looks for a PATCH operation tagged with
// the kind's x-kubernetes-group-version-kind that declares a `fieldValidation` query parameter (every such PATCH
// operation must, since kubectl stops at the first it meets); kubectl explain finds the kind's component schema by
// its x-kubernetes-group-version-kind.
import { ALL_VERBS, type ResourceType } from '../apiserver/registry/types.js';
import { V3_REF, type GroupVersionKind, type Schema } from './facts.js';

/** What the document builder needs to know about schemas. */
export interface SchemaSource {
  get(name: string): Schema | undefined;
  /** The component schema carrying this group/version/kind. */
  schemaForKind(gvk: GroupVersionKind): string | undefined;
  /** Built-in (Go-typed) schemas support strategic merge patch; custom resources do not. */
  isBuiltin(name: string): boolean;
}

const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';
const SCALE_GVK: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
const RESPONSE_TYPES = ['application/json', 'application/yaml'];

/** The discovery key of a group/version: `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function buildDocument(resources: readonly ResourceType[], schemas: SchemaSource, infoVersion: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const rt of resources) Object.assign(paths, resourcePaths(rt, schemas));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: infoVersion },
    paths,
    components: { schemas: referencedSchemas(paths, schemas) },
  };
}

type Action = 'list' | 'post' | 'deletecollection' | 'get' | 'put' | 'patch' | 'delete';

/** How one REST action reads as an operation: its operationId verb, the kube verb it needs, its query parameters. */
const ACTIONS: Record<Action, { word: string; verb: string; query: string[] }> = {
  list: { word: 'list', verb: 'list', query: ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'] },
  post: { word: 'create', verb: 'create', query: ['dryRun', 'fieldManager', 'fieldValidation'] },
  deletecollection: { word: 'delete', verb: 'deletecollection', query: ['continue', 'dryRun', 'fieldSelector', 'gracePeriodSeconds', 'labelSelector', 'limit', 'orphanDependents', 'propagationPolicy', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds'] },
  get: { word: 'read', verb: 'get', query: [] },
  put: { word: 'replace', verb: 'update', query: ['dryRun', 'fieldManager', 'fieldValidation'] },
  patch: { word: 'patch', verb: 'patch', query: ['dryRun', 'fieldManager', 'fieldValidation', 'force'] },
  delete: { word: 'delete', verb: 'delete', query: ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'] },
};

const QUERY_TYPES: Record<string, string> = {
  allowWatchBookmarks: 'boolean', force: 'boolean', orphanDependents: 'boolean', sendInitialEvents: 'boolean', watch: 'boolean',
  gracePeriodSeconds: 'integer', limit: 'integer', timeoutSeconds: 'integer',
};

interface Target {
  gvk: GroupVersionKind;
  schema: Schema;
}

function resourcePaths(rt: ResourceType, schemas: SchemaSource): Record<string, Record<string, unknown>> {
  const verbs = new Set(rt.verbs ?? ALL_VERBS);
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const kindName = rt.schemaRef ?? schemas.schemaForKind(gvk);
  const kind: Target = { gvk, schema: kindName ? ref(kindName) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  const listName = schemas.schemaForKind({ ...gvk, kind: rt.listKind ?? rt.kind + 'List' });
  const list: Target = { gvk, schema: listName ? ref(listName) : { type: 'object' } };
  const strategic = kindName !== undefined && schemas.isBuiltin(kindName);

  const base = '/' + groupVersionPath(rt.group, rt.version) + (rt.namespaced ? '/namespaces/{namespace}/' : '/') + rt.plural;
  const scope = rt.namespaced ? ['namespace'] : [];
  const name = ['name', ...scope];
  const opId = (action: Action, sub = '') =>
    ACTIONS[action].word + groupWord(rt.group) + capitalize(rt.version) +
    (action === 'deletecollection' ? 'Collection' : '') + (rt.namespaced ? 'Namespaced' : '') + rt.kind + sub;
  const tag = lowerFirst(groupWord(rt.group)) + '_' + rt.version;
  const op = (action: Action, target: Target, sub = '') =>
    verbs.has(ACTIONS[action].verb) ? operation(action, target, opId(action, sub), tag, strategic) : undefined;
  const path = (params: string[], ops: Partial<Record<Action, Record<string, unknown> | undefined>>) => {
    const item: Record<string, unknown> = {};
    for (const [action, o] of Object.entries(ops)) if (o) item[METHOD[action as Action]] = o;
    if (!Object.keys(item).length) return undefined;
    item.parameters = [...params.map(pathParameter), queryParameter('pretty')];
    return item;
  };

  const out: Record<string, Record<string, unknown> | undefined> = {
    [base]: path(scope, { list: op('list', list), post: op('post', kind), deletecollection: op('deletecollection', kind) }),
    [`${base}/{name}`]: path(name, { get: op('get', kind), put: op('put', kind), patch: op('patch', kind), delete: op('delete', kind) }),
  };
  const subresources: [string, Target][] = [];
  if (rt.subresources?.status) subresources.push(['status', kind]);
  if (rt.subresources?.scale) subresources.push(['scale', { gvk: SCALE_GVK, schema: ref(SCALE_SCHEMA) }]);
  for (const [sub, target] of subresources)
    out[`${base}/{name}/${sub}`] = path(name, { get: op('get', target, capitalize(sub)), put: op('put', target, capitalize(sub)), patch: op('patch', target, capitalize(sub)) });
  for (const key of Object.keys(out)) if (!out[key]) delete out[key];
  return out as Record<string, Record<string, unknown>>;
}

const METHOD: Record<Action, string> = { list: 'get', post: 'post', deletecollection: 'delete', get: 'get', put: 'put', patch: 'patch', delete: 'delete' };

function operation(action: Action, target: Target, operationId: string, tag: string, strategic: boolean): Record<string, unknown> {
  const op: Record<string, unknown> = {
    operationId,
    tags: [tag],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': target.gvk,
  };
  const query = ACTIONS[action].query;
  if (query.length) op.parameters = query.map(queryParameter);
  if (action === 'post' || action === 'put') op.requestBody = body(['application/json', 'application/yaml'], target.schema);
  if (action === 'patch') op.requestBody = body(strategic ? [...PATCH_TYPES, STRATEGIC_MERGE_PATCH] : PATCH_TYPES, ref(PATCH_SCHEMA));
  if (action === 'delete' || action === 'deletecollection') op.requestBody = body(['application/json'], ref(DELETE_OPTIONS_SCHEMA));
  const status = ref(STATUS_SCHEMA);
  switch (action) {
    case 'post': op.responses = responses({ 200: target.schema, 201: target.schema, 202: target.schema }); break;
    case 'put': case 'patch': op.responses = responses({ 200: target.schema, 201: target.schema }); break;
    case 'delete': op.responses = responses({ 200: status, 202: status }); break;
    case 'deletecollection': op.responses = responses({ 200: status }); break;
    default: op.responses = responses({ 200: target.schema });
  }
  return op;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

function responses(byCode: Record<number, Schema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries(byCode))
    out[code] = { description: STATUS_TEXT[Number(code)], ...body(RESPONSE_TYPES, schema) };
  return out;
}

function body(types: readonly string[], schema: Schema): { content: Record<string, { schema: Schema }> } {
  return { content: Object.fromEntries(types.map((t) => [t, { schema }])) };
}

function pathParameter(name: string): Record<string, unknown> {
  return { name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
}

function queryParameter(name: string): Record<string, unknown> {
  return { name, in: 'query', schema: { type: QUERY_TYPES[name] ?? 'string', uniqueItems: true } };
}

function ref(name: string): Schema {
  return { $ref: V3_REF + name };
}

/** Every component schema reachable from the $refs in `root`. */
function referencedSchemas(root: unknown, schemas: SchemaSource): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(V3_REF)) {
          const name = value.slice(V3_REF.length);
          const schema = schemas.get(name);
          if (schema && !(name in out)) {
            out[name] = schema;
            visit(schema);
          }
        } else visit(value);
      }
    }
  };
  visit(root);
  return out;
}

/** kube's operationId spelling of a group: `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(capitalize).join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

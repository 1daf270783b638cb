// The object kube compares a create against: Go's zero value of the kind. Which containers exist in it decides which
// created ones are owned as a whole ("." in FieldsV1): a struct Go holds by value (spec, template, strategy) is
// already there; one behind a pointer (rollingUpdate, securityContext) or a nil map or list (labels, data) is added.
// OpenAPI does not say what Go holds by value, so the value structs of the served kinds are listed here (timestamps
// are value structs that encode as null); required fields (not omitempty) are present too, as null or their
// scalar's zero. Custom resources start from nothing.
import { gvkKey, gvkList, SERVED_KINDS } from '../../openapi/facts.js';
import { isObject, type JSONObject } from './json.js';
import type { SchemaSource } from './schema.js';

const REF_PREFIX = '#/components/schemas/';
const API = 'io.k8s.api.';
const CRD = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition';

/** Every built-in kind holds metadata, spec and status by value. */
const KIND_VALUE_FIELDS = ['metadata', 'spec', 'status'];

const VALUE_FIELDS: Record<string, readonly string[]> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': ['creationTimestamp'],
  [`${API}apps.v1.DeploymentSpec`]: ['template', 'strategy'],
  [`${API}apps.v1.StatefulSetSpec`]: ['template', 'updateStrategy'],
  [`${API}apps.v1.DaemonSetSpec`]: ['template', 'updateStrategy'],
  [`${API}apps.v1.ReplicaSetSpec`]: ['template'],
  [`${API}core.v1.PodTemplateSpec`]: ['metadata', 'spec'],
  [`${API}batch.v1.JobSpec`]: ['template'],
  [`${API}batch.v1.CronJobSpec`]: ['jobTemplate'],
  [`${API}batch.v1.JobTemplateSpec`]: ['metadata', 'spec'],
  [`${API}core.v1.PersistentVolumeClaimSpec`]: ['resources'],
  [`${API}core.v1.ServiceStatus`]: ['loadBalancer'],
  [`${API}networking.v1.IngressStatus`]: ['loadBalancer'],
  [`${API}core.v1.NodeStatus`]: ['daemonEndpoints', 'nodeInfo'],
  [`${API}core.v1.NodeDaemonEndpoints`]: ['kubeletEndpoint'],
  [`${API}core.v1.Event`]: ['source', 'firstTimestamp', 'lastTimestamp', 'eventTime'],
  [`${API}events.v1.Event`]: ['deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp'],
  [`${CRD}Spec`]: ['names'],
  [`${CRD}Status`]: ['acceptedNames'],
};

const SERVED = new Set(SERVED_KINDS.map(gvkKey));

type Facts = { [key: string]: unknown };

function zeroScalar(p: Facts): unknown {
  switch (p.type) {
    case 'string':
      return p.format === 'date-time' ? null : '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

export class ZeroObjects {
  private readonly cache = new WeakMap<object, JSONObject>();

  constructor(private readonly schemas: SchemaSource) {}

  /** The zero object of the kind behind a component schema (shared: never modify it). */
  of(schemaName: string | undefined): JSONObject {
    const schema = schemaName === undefined ? undefined : (this.schemas.get(schemaName) as Facts | undefined);
    if (!schema) return {};
    let zero = this.cache.get(schema);
    if (!zero) {
      const builtin = gvkList(schema).some((gvk) => SERVED.has(gvkKey(gvk)));
      zero = builtin ? (this.build(schemaName!, KIND_VALUE_FIELDS) as JSONObject) : {};
      this.cache.set(schema, zero);
    }
    return zero;
  }

  private build(name: string, valueFields: readonly string[]): unknown {
    const s = this.schemas.get(name) as Facts | undefined;
    if (!s || (s.type !== 'object' && !isObject(s.properties))) return s ? zeroScalar(s) : null;
    const props = isObject(s.properties) ? s.properties : {};
    const out: JSONObject = {};
    for (const f of [...valueFields, ...(VALUE_FIELDS[name] ?? [])]) {
      const ref = isObject(props[f]) ? (props[f] as Facts).$ref : undefined;
      if (typeof ref === 'string' && ref.startsWith(REF_PREFIX)) out[f] = this.build(ref.slice(REF_PREFIX.length), []);
    }
    for (const f of Array.isArray(s?.required) ? (s!.required as string[]) : [])
      if (!(f in out) && isObject(props[f])) out[f] = zeroScalar(props[f] as Facts);
    return out;
  }
}

// fieldOverrider (Karmada's applyFieldOverriders): a string field holding a JSON or YAML document (a ConfigMap's
// data entry, say) is parsed, patched with JSON patch operations on its content, and written back as a string.
import YAML from 'yaml';
import type { FieldOverrider, JSONPatchOperation } from '../../openapi/karmada/types.js';
import { applyPatch, getAt, type Obj } from './jsonpatch.js';

// sigs.k8s.io/yaml converts through go-yaml v2: YAML 1.1 scalars (yes/on are booleans) and sorted map keys.
const YAML_PARSE: YAML.ParseOptions & YAML.DocumentOptions = { version: '1.1' };
const YAML_STRINGIFY: YAML.ToStringOptions & YAML.DocumentOptions & YAML.SchemaOptions = {
  version: '1.1',
  sortMapEntries: true,
  indentSeq: false,
  lineWidth: 0,
};

function patchContent(content: unknown, ops: readonly JSONPatchOperation[]): unknown {
  return applyPatch(content, ops.map((o) => ({ op: o.operator, path: o.subPath, ...(o.value !== undefined && { value: o.value }) })));
}

/**
 * obj with o applied. The YAML operations win when both are set (the webhook rejects that); with neither the field
 * is left as it is (Karmada would write an empty string).
 */
export function applyFieldOverrider(obj: Obj, o: FieldOverrider): Obj {
  const text = getAt(obj, o.fieldPath);
  if (typeof text !== 'string') throw new Error(`Get object's value by overrider's path(${o.fieldPath}) is not string`);
  let next: string;
  if (o.yaml?.length) {
    next = YAML.stringify(patchContent(YAML.parse(text, YAML_PARSE) ?? null, o.yaml), YAML_STRINGIFY);
  } else if (o.json?.length) {
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch (err) {
      throw new Error(`the value at ${o.fieldPath} is not JSON: ${(err as Error).message}`);
    }
    next = JSON.stringify(patchContent(content, o.json));
  } else {
    return obj;
  }
  return applyPatch(obj, [{ op: 'replace', path: o.fieldPath, value: next }]);
}

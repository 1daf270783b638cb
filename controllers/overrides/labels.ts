// labelsOverrider and annotationsOverrider (Karmada's labelannotationoverrider.go).
import type { LabelAnnotationOverrider } from '../../openapi/karmada/types.js';
import type { Obj } from './jsonpatch.js';

/**
 * obj with o applied to metadata[field]: add sets every key (creating the map if needed); replace and remove only
 * touch keys that are there. Keys may contain "/" (app.kubernetes.io/name): they are map keys, not pointer paths.
 */
function applyMapOverrider(field: 'labels' | 'annotations', obj: Obj, o: LabelAnnotationOverrider): Obj {
  const current: Record<string, string> | undefined = obj.metadata?.[field];
  const entries = Object.entries(o.value ?? {});
  if (entries.length === 0 || (current === undefined && o.operator !== 'add')) return obj;
  const next: Record<string, string> = { ...current };
  for (const [key, value] of entries) {
    if (o.operator === 'add') next[key] = value;
    else if (!Object.hasOwn(next, key)) continue;
    else if (o.operator === 'replace') next[key] = value;
    else delete next[key];
  }
  return { ...obj, metadata: { ...obj.metadata, [field]: next } };
}

export function applyLabelsOverrider(obj: Obj, o: LabelAnnotationOverrider): Obj {
  return applyMapOverrider('labels', obj, o);
}

export function applyAnnotationsOverrider(obj: Obj, o: LabelAnnotationOverrider): Obj {
  return applyMapOverrider('annotations', obj, o);
}

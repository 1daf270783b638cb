// One rule's overriders applied to a manifest in Karmada's order (applyPolicyOverriders): images, command, args,
// labels, annotations, fields, then the plaintext JSON patch. The first failure fails the rule.
import type { Overriders, PlaintextOverrider } from '../../openapi/karmada/types.js';
import { applyArgsOverrider, applyCommandOverrider } from './commandargs.js';
import { applyFieldOverrider } from './field.js';
import { applyImageOverrider } from './image.js';
import { applyPatch, type Obj } from './jsonpatch.js';
import { applyAnnotationsOverrider, applyLabelsOverrider } from './labels.js';

/** obj with the plaintext overriders applied as one JSON patch. */
export function applyPlaintextOverriders(obj: Obj, plaintext: readonly PlaintextOverrider[]): Obj {
  return applyPatch(obj, plaintext.map((p) => ({ op: p.operator, path: p.path, ...(p.value !== undefined && { value: p.value }) })));
}

type Step = (obj: Obj, o: Overriders) => Obj;

function each<T>(list: (o: Overriders) => readonly T[] | undefined, apply: (obj: Obj, item: T) => Obj): Step {
  return (obj, o) => (list(o) ?? []).reduce(apply, obj);
}

const STEPS: readonly Step[] = [
  each((o) => o.imageOverrider, applyImageOverrider),
  each((o) => o.commandOverrider, applyCommandOverrider),
  each((o) => o.argsOverrider, applyArgsOverrider),
  each((o) => o.labelsOverrider, applyLabelsOverrider),
  each((o) => o.annotationsOverrider, applyAnnotationsOverrider),
  each((o) => o.fieldOverrider, applyFieldOverrider),
  (obj, o) => applyPlaintextOverriders(obj, o.plaintext ?? []),
];

/** obj with overriders applied; obj itself is left alone. Throws the first overrider's error. */
export function applyOverriders(obj: Obj, overriders: Overriders): Obj {
  return STEPS.reduce((acc, step) => step(acc, overriders), obj);
}

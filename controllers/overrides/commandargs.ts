// commandOverrider and argsOverrider (Karmada's commandargsoverride.go): add arguments to, or remove them from, the
// command or args of the named container of a workload.
import type { CommandArgsOverrider } from '../../openapi/karmada/types.js';
import { applyPatch, formatPointer, getAt, type Obj, type PatchOperation } from './jsonpatch.js';
import { POD_SPEC_PATH } from './image.js';

/** The new command or args: add appends the values, remove drops every occurrence of each. */
function override(current: readonly string[], o: CommandArgsOverrider): string[] {
  const values = o.value ?? [];
  if (o.operator === 'add') return [...current, ...values];
  if (o.operator === 'remove') return current.filter((v) => !values.includes(v));
  return [...current];
}

/**
 * obj with o applied to the `field` of every container (not init container) named o.containerName. A container
 * without the field gets it, even from a remove (as an empty list), as in Karmada.
 */
function applyCommandArgsOverrider(field: 'command' | 'args', obj: Obj, o: CommandArgsOverrider): Obj {
  const podSpecPath = POD_SPEC_PATH[obj.kind];
  if (!podSpecPath) return obj;
  const containers = (getAt(obj, formatPointer([...podSpecPath, 'containers'])) as Obj[] | undefined) ?? [];
  const ops = containers.flatMap((c, i): PatchOperation[] => {
    if (c?.name !== o.containerName) return [];
    const path = formatPointer([...podSpecPath, 'containers', i, field]);
    const current = c[field] as unknown[] | null | undefined;
    return current == null
      ? [{ op: 'add', path, value: override([], o) }]
      : [{ op: 'replace', path, value: override(current.map(String), o) }];
  });
  return applyPatch(obj, ops);
}

export function applyCommandOverrider(obj: Obj, o: CommandArgsOverrider): Obj {
  return applyCommandArgsOverrider('command', obj, o);
}

export function applyArgsOverrider(obj: Obj, o: CommandArgsOverrider): Obj {
  return applyCommandArgsOverrider('args', obj, o);
}

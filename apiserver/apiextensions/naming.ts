// Which names a CRD gets to serve under (kube's NamingConditionController and establishing controller): a name is
// granted unless another resource of the same group already holds it, and a CRD is Established once its names have
// been accepted. Custom resources are served under status.acceptedNames, never directly under spec.names.
import type { ResourceType } from '../registry/types.js';
import { nowTimestamp } from '../registry/strategy.js';
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames } from './types.js';

/** spec.names with kube's defaults: singular is the lowercased kind, listKind the kind plus "List". */
export function requestedNames(crd: CustomResourceDefinition): CustomResourceDefinitionNames {
  const n = crd.spec.names;
  return orderedNames({ ...n, singular: n.singular || n.kind.toLowerCase(), listKind: n.listKind || `${n.kind}List` });
}

/** The names in the field order of kube's CustomResourceDefinitionNames, empty lists left out. */
function orderedNames(n: CustomResourceDefinitionNames): CustomResourceDefinitionNames {
  const out: Partial<CustomResourceDefinitionNames> = { plural: n.plural };
  if (n.singular) out.singular = n.singular;
  if (n.shortNames?.length) out.shortNames = n.shortNames;
  out.kind = n.kind;
  if (n.listKind) out.listKind = n.listKind;
  if (n.categories?.length) out.categories = n.categories;
  return out as CustomResourceDefinitionNames;
}

/** Resource names (plural, singular, short names) and kinds (kind, list kind) already taken within a group. */
export interface ClaimedNames {
  resources: Set<string>;
  kinds: Set<string>;
}

/**
 * The names held in `group`: every CRD's accepted names (the CRD being checked included, as in kube, where its own
 * accepted names never conflict with themselves) and those of built-in resources served in the group.
 */
export function claimedNames(group: string, crds: Iterable<CustomResourceDefinition>, served: readonly ResourceType[]): ClaimedNames {
  const claimed: ClaimedNames = { resources: new Set(), kinds: new Set() };
  const add = (n: Partial<CustomResourceDefinitionNames>, listKind?: string) => {
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) claimed.resources.add(r);
    for (const k of [n.kind, listKind]) if (k) claimed.kinds.add(k);
  };
  for (const crd of crds) {
    const accepted = crd.status?.acceptedNames;
    if (crd.spec?.group === group && accepted) add(accepted, accepted.listKind);
  }
  for (const rt of served) if (rt.group === group && !rt.custom) add(rt, rt.listKind ?? `${rt.kind}List`);
  return claimed;
}

export interface NamingResult {
  acceptedNames: CustomResourceDefinitionNames;
  namesAccepted: CustomResourceDefinitionCondition;
  established: CustomResourceDefinitionCondition;
}

/** The accepted names and the NamesAccepted and Established conditions a CRD should carry. */
export function calculateNames(crd: CustomResourceDefinition, claimed: ClaimedNames): NamingResult {
  const requested = requestedNames(crd);
  const accepted = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const next: CustomResourceDefinitionNames = { ...accepted };
  let conflict: { reason: string; message: string } | undefined;
  // Every name is checked so that the accepted names come as close to the request as possible; the last conflict
  // found is the one reported.
  const check = (reason: string, want: string | undefined, have: string | undefined, taken: Set<string>, accept: () => void) => {
    const err = inUse(want ?? '', have ?? '', taken);
    if (err) conflict = { reason, message: err };
    else accept();
  };
  check('PluralConflict', requested.plural, accepted.plural, claimed.resources, () => (next.plural = requested.plural));
  check('SingularConflict', requested.singular, accepted.singular, claimed.resources, () => (next.singular = requested.singular));
  if (!sameList(requested.shortNames, accepted.shortNames)) {
    const have = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? [])
      // A short name equal to the CRD's own plural or singular is not a conflict with itself.
      .filter((s) => !have.has(s) && s !== accepted.plural && s !== accepted.singular)
      .map((s) => inUse(s, '', claimed.resources))
      .filter((e): e is string => e !== undefined);
    if (errs.length) conflict = { reason: 'ShortNamesConflict', message: errs.length === 1 ? errs[0] : `[${errs.join(', ')}]` };
    else next.shortNames = requested.shortNames;
  }
  check('KindConflict', requested.kind, accepted.kind, claimed.kinds, () => (next.kind = requested.kind));
  check('ListKindConflict', requested.listKind, accepted.listKind, claimed.kinds, () => (next.listKind = requested.listKind));
  next.categories = requested.categories;

  const namesAccepted: CustomResourceDefinitionCondition = conflict
    ? { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const previous = findCondition(crd, 'Established');
  let established: CustomResourceDefinitionCondition =
    previous ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  // Established only ever turns True once the names are accepted, and stays so (the resource keeps being served
  // under the names it was established with).
  if (established.status !== 'True' && namesAccepted.status === 'True')
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  return { acceptedNames: orderedNames(next), namesAccepted, established };
}

function inUse(requested: string, accepted: string, taken: Set<string>): string | undefined {
  if (requested === accepted || !taken.has(requested)) return undefined;
  return `${JSON.stringify(requested)} is already in use`;
}

function sameList(a: string[] | undefined, b: string[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

function findCondition(crd: CustomResourceDefinition, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/**
 * Sets a condition as kube's SetCRDCondition does: lastTransitionTime moves only when the status changes; a new
 * condition goes at the end.
 */
export function setCondition(crd: CustomResourceDefinition, cond: CustomResourceDefinitionCondition): void {
  const status = (crd.status ??= {});
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === cond.type);
  const fresh = { type: cond.type, status: cond.status, lastTransitionTime: nowTimestamp(), reason: cond.reason, message: cond.message };
  if (!existing) {
    conditions.push(fresh);
    return;
  }
  if (existing.status !== cond.status || !existing.lastTransitionTime) existing.lastTransitionTime = fresh.lastTransitionTime;
  existing.status = cond.status;
  existing.reason = cond.reason;
  existing.message = cond.message;
}

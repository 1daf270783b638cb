// Installs Karmada's API groups as CustomResourceDefinitions at apiserver start, as karmada-apiserver has them, and
// brings them up to date after an upgrade of Flotilla (the generated CRDs changed).
import { createHash } from 'node:crypto';
import type { KObject } from '../../storage/store.js';
import { stableStringify } from '../../openapi/facts.js';
import { federationCRDs } from '../../openapi/karmada/crds.js';
import { APIError } from '../errors.js';

/** The CRD registry, as the apiserver's ResourceStore for customresourcedefinitions offers it. */
export interface CRDStore {
  get(ns: undefined, name: string): Promise<KObject>;
  create(ns: undefined, obj: KObject): Promise<KObject>;
  update(ns: undefined, name: string, obj: KObject): Promise<KObject>;
}

/**
 * Hash of the spec Flotilla last installed. The stored spec may carry server-side defaults, so comparing specs alone
 * cannot tell an upgrade (a field removed from the generated CRD) from defaulting.
 */
export const SPEC_HASH_ANNOTATION = 'flotilla.io/federation-crd-spec-hash';

const ATTEMPTS = 5;

/** Creates every federation CRD that is missing and updates every one whose spec is not the generated one. */
export async function ensureFederationCRDs(crdStore: CRDStore): Promise<void> {
  for (const crd of federationCRDs()) await ensureCRD(crdStore, crd);
}

async function ensureCRD(store: CRDStore, desired: KObject): Promise<void> {
  const name: string = desired.metadata!.name;
  const hash = specHash(desired.spec);
  // Another apiserver may be doing the same: a lost race (409) means reading again.
  for (let attempt = 1; ; attempt++) {
    try {
      const current = await getOrUndefined(store, name);
      if (!current) {
        await store.create(undefined, withHash(desired, hash));
      } else if (current.metadata?.annotations?.[SPEC_HASH_ANNOTATION] !== hash || !contains(current.spec, desired.spec)) {
        await store.update(undefined, name, withHash({ ...current, spec: desired.spec }, hash));
      }
      return;
    } catch (err) {
      if (!(err instanceof APIError && err.code === 409) || attempt === ATTEMPTS) throw err;
    }
  }
}

async function getOrUndefined(store: CRDStore, name: string): Promise<KObject | undefined> {
  try {
    return await store.get(undefined, name);
  } catch (err) {
    if (err instanceof APIError && err.code === 404) return undefined;
    throw err;
  }
}

function withHash(crd: KObject, hash: string): KObject {
  return { ...crd, metadata: { ...crd.metadata, annotations: { ...crd.metadata?.annotations, [SPEC_HASH_ANNOTATION]: hash } } };
}

function specHash(spec: unknown): string {
  return createHash('sha256').update(stableStringify(spec)).digest('hex').slice(0, 16);
}

/** Whether `actual` has every value of `wanted` (it may have more: defaults the server filled in). */
function contains(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted))
    return Array.isArray(actual) && actual.length === wanted.length && wanted.every((w, i) => contains(actual[i], w));
  if (wanted !== null && typeof wanted === 'object')
    return (
      actual !== null &&
      typeof actual === 'object' &&
      !Array.isArray(actual) &&
      Object.entries(wanted).every(([k, w]) => contains((actual as Record<string, unknown>)[k], w))
    );
  return actual === wanted;
}

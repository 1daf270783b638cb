// The federation CRDs the apiserver installs: generated/crds.json, the facts of Karmada's API definitions.
import { readFileSync } from 'node:fs';
import type { KObject } from '../../storage/store.js';

// Read from the source tree (dist/ holds only compiled code), as openapi/schemas.ts does.
export const CRDS_FILE = new URL('../../../openapi/karmada/generated/crds.json', import.meta.url);

/** A fresh copy of every federation CRD, sorted by name. */
export function federationCRDs(): KObject[] {
  return JSON.parse(readFileSync(CRDS_FILE, 'utf8')) as KObject[];
}

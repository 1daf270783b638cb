// The list continue token, in the same shape kube-apiserver hands out (base64url JSON {"v","rv","start"}) so that a
// token is recognisable and its errors read the same. The start key is relative to the listed prefix, which keeps a
// token from ranging outside the prefix it is replayed against.
import { StorageError } from './store.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ContinuePoint {
  /** The first key the next page may contain. */
  startKey: string;
  /** The resourceVersion of the snapshot every page shows. */
  resourceVersion: number;
  /** How many objects the snapshot holds from startKey on, when the page before counted them. */
  remaining?: number;
}

/**
 * A token that resumes right after lastKey (the "\x00" makes the start key the next possible key). The count of
 * objects after lastKey, when known, rides along ("remaining", which kube's decoder ignores): every page shows the
 * same snapshot, so each later page's count follows from it without reading the rest of the range again.
 */
export function encodeContinue(prefix: string, lastKey: string, resourceVersion: number, remaining?: number): string {
  const token = { v: TOKEN_VERSION, rv: resourceVersion, start: lastKey.slice(prefix.length) + '\x00', ...(remaining === undefined ? {} : { remaining }) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(prefix: string, token: string): ContinuePoint {
  const invalid = (detail?: string) =>
    new StorageError('InvalidContinue', prefix, detail ? `continue key is not valid: ${detail}` : 'continue key is not valid');
  if (!BASE64URL.test(token)) throw invalid('illegal base64 data');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const { v, rv, start, remaining } = (decoded ?? {}) as { v?: unknown; rv?: unknown; start?: unknown; remaining?: unknown };
  if (v !== TOKEN_VERSION) throw invalid(`server does not recognize this encoded version ${String(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) {
    throw invalid(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  }
  if (typeof start !== 'string' || start === '') throw invalid(`encoded start key empty (version ${TOKEN_VERSION})`);
  const rooted = start.startsWith('/') ? start : '/' + start;
  if (!isCleanPath(rooted)) throw invalid(start);
  const point: ContinuePoint = { startKey: prefix + rooted.slice(1), resourceVersion: rv };
  // Only a count that can be one is used; anything else is counted again.
  if (typeof remaining === 'number' && Number.isSafeInteger(remaining) && remaining > 0) point.remaining = remaining;
  return point;
}

/** True when path is already in the form Go's path.Clean would give (no empty, "." or ".." segments). */
function isCleanPath(rooted: string): boolean {
  if (rooted === '/') return true;
  return rooted
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

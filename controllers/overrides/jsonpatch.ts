// JSON pointers (RFC 6901) and JSON patches (RFC 6902) on unstructured objects: every overrider ends in one, as
// Karmada builds each overrider's change as a JSON patch and applies it with evanphx/json-patch.
import jsonpatch from 'fast-json-patch';

/** An unstructured object: a manifest as the API serves it. */
export type Obj = Record<string, any>;

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** The reference tokens of pointer: "" is the whole document; anything else must start with "/". */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pointer of tokens, escaped. */
export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The value pointer designates in doc, or undefined when the path does not exist. */
export function getAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, token)) {
      cur = (cur as Obj)[token];
    } else {
      return undefined;
    }
  }
  return cur;
}

/**
 * doc with ops applied in order, all or nothing; doc itself is left alone. Like evanphx/json-patch, a remove or
 * replace of a missing path and an add under a missing parent fail.
 */
export function applyPatch<T>(doc: T, ops: readonly PatchOperation[]): T {
  if (ops.length === 0) return doc;
  try {
    return jsonpatch.applyPatch(doc, ops as jsonpatch.Operation[], true, false).newDocument as T;
  } catch (err) {
    const e = err as Error & { operation?: PatchOperation };
    const at = e.operation ? `${e.operation.op} ${JSON.stringify(e.operation.path)}: ` : '';
    throw new Error(`${at}${e.message.split('\n')[0]}`);
  }
}

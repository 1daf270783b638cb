// Content negotiation: which representation a client asked for in Accept, and how a request body is encoded.
import { notAcceptable } from '../errors.js';

export type Representation =
  | { kind: 'object'; format: 'json' | 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean }
  | { kind: 'discovery'; version: 'v2' | 'v2beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...rawParams] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      const q = params.q !== undefined ? Number(params.q) : 1;
      delete params.q;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((m) => m.type !== '' && m.q > 0)
    // Like goautoneg: higher q first, then concrete types before type/* before */*; otherwise header order.
    .sort((a, b) => b.q - a.q || specificity(b.type) - specificity(a.type));
}

function specificity(type: string): number {
  return type === '*/*' ? 0 : type.endsWith('/*') ? 1 : 2;
}

export const SUPPORTED_MEDIA_TYPES = ['application/json', 'application/yaml'];

export interface NegotiateOptions {
  /** Whether as=Table/PartialObjectMetadata may be offered (resource GET/LIST/WATCH). */
  transforms: boolean;
  /** Whether aggregated discovery may be offered (/api and /apis). */
  discovery: boolean;
  /** Whether YAML may be offered (not for watch streams). */
  yaml: boolean;
}

/** Picks the first acceptable representation in the client's order; throws 406 when none is. */
export function negotiate(accept: string | undefined, opts: NegotiateOptions): Representation {
  if (!accept) return { kind: 'object', format: 'json' };
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    const isJson = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*';
    if (as) {
      if (!isJson) continue;
      const g = m.params.g;
      const v = m.params.v;
      if (opts.transforms && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) {
        if (as === 'Table') return { kind: 'table', version: v };
        if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
          return { kind: 'partial', version: v, list: as === 'PartialObjectMetadataList' };
      }
      if (opts.discovery && g === 'apidiscovery.k8s.io' && as === 'APIGroupDiscoveryList' && (v === 'v2' || v === 'v2beta1'))
        return { kind: 'discovery', version: v };
      continue;
    }
    if (isJson) return { kind: 'object', format: 'json' };
    if (opts.yaml && m.type === 'application/yaml') return { kind: 'object', format: 'yaml' };
  }
  throw notAcceptable(SUPPORTED_MEDIA_TYPES);
}

/** The media type of a request body, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

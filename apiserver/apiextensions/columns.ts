// Server-side printing of custom resources (kube's apiextensions tableconvertor): Name, then one column per
// additionalPrinterColumn, its cell read by JSONPath. A CRD version without printer columns prints Name and Age;
// one with columns prints exactly those after Name (no Age unless it declares one).
import { JSONPath } from 'jsonpath-plus';
import type { KObject } from '../../storage/store.js';
import { stableStringify } from '../../openapi/facts.js';
import { humanDuration, parseTimestamp } from '../registry/duration.js';
import { customResourceDefaultColumns, nameColumn } from '../registry/printers/index.js';
import type { TableColumn } from '../registry/types.js';
import { goNumber } from './goformat.js';
import type { CustomResourceColumnDefinition } from './types.js';

export function printerColumns(defs: readonly CustomResourceColumnDefinition[] | undefined): TableColumn[] {
  if (!defs?.length) return customResourceDefaultColumns;
  return [
    nameColumn(),
    ...defs.map((d): TableColumn => ({
      name: d.name,
      type: d.type as TableColumn['type'],
      format: d.format,
      description: d.description || `Custom resource definition column (in JSONPath format): ${d.jsonPath}`,
      priority: d.priority ?? 0,
      cell: cellReader(d),
    })),
  ];
}

/** kube's JSONPath (`.spec.x`, `.status.conditions[?(@.type=="Ready")].status`) in jsonpath-plus form. */
function toJSONPathPlus(path: string): string {
  const trimmed = path.trim().replace(/^\{(.*)\}$/, '$1');
  return trimmed.startsWith('$') ? trimmed : `$${trimmed.startsWith('.') || trimmed.startsWith('[') ? '' : '.'}${trimmed}`;
}

/** The cell of one column: the first JSONPath match, typed as the column says; null when missing or of another type. */
function cellReader(d: CustomResourceColumnDefinition): (obj: KObject) => unknown {
  const path = toJSONPathPlus(d.jsonPath);
  return (obj) => {
    let found: unknown[];
    try {
      found = JSONPath({ path, json: obj, wrap: true, eval: 'safe' }) as unknown[];
    } catch {
      return null;
    }
    return found.length ? typedCell(d.type, found[0]) : null;
  };
}

export function typedCell(type: string, value: unknown, now = Date.now()): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    // Strings print as the JSONPath printer prints: scalars as text, objects and lists as JSON.
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return goNumber(value);
      return typeof value === 'object' ? stableStringify(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      if (value === '') return '<unknown>';
      if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) return '<invalid>';
      return parseTimestamp(value) === undefined ? '<unknown>' : humanDuration(now - Date.parse(value));
    default:
      return null;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

// Label and field selectors with the syntax and error texts of k8s.io/apimachinery/pkg/labels and pkg/fields.
import { badRequest } from '../errors.js';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type Selector = Requirement[];

const KEY_CHARS = /[A-Za-z0-9\-_./]/;

/** Parses a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`). Throws a 400 on bad syntax. */
export function parseLabelSelector(input: string | undefined): Selector {
  if (!input || !input.trim()) return [];
  const reqs: Requirement[] = [];
  let i = 0;
  const s = input;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const readKey = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && KEY_CHARS.test(s[i])) i++;
    return s.slice(start, i);
  };
  const readValue = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,()=!<>]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipWs();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
    }
    const key = readKey();
    if (!key) fail(`found '${s[i] ?? ''}', expected: identifier`);
    checkKey(key);
    skipWs();
    if (negate) {
      reqs.push({ key, op: '!', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      reqs.push({ key, op: 'exists', values: [] });
    } else if (s.startsWith('==', i) || s.startsWith('!=', i)) {
      const op = s[i] === '!' ? '!=' : '=';
      i += 2;
      reqs.push({ key, op, values: [checkValue(readValue())] });
    } else if (s[i] === '=') {
      i++;
      reqs.push({ key, op: '=', values: [checkValue(readValue())] });
    } else if (s[i] === '>' || s[i] === '<') {
      const op = s[i] === '>' ? 'gt' : 'lt';
      i++;
      const v = readValue();
      if (!/^-?\d+$/.test(v)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      reqs.push({ key, op, values: [v] });
    } else {
      const word = readValue();
      if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
      skipWs();
      if (s[i] !== '(') fail(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const v = readValue();
        values.push(checkValue(v));
        skipWs();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        fail(`found '${s[i] ?? ''}', expected: ',', ')'`);
      }
      reqs.push({ key, op: word as Operator, values: values.filter((v) => v !== '' || values.length === 1) });
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') fail(`found '${s[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

function checkKey(key: string): void {
  const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
  if (name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name))
    throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

function checkValue(v: string): string {
  if (v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))
    throw badRequest(`unable to parse requirement: invalid label value: "${v}": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return v;
}

export function matchesLabels(sel: Selector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.op) {
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        if (r.op === 'gt' ? !(n > Number(r.values[0])) : !(n < Number(r.values[0]))) return false;
        break;
      }
    }
  }
  return true;
}

/** Field selectors only support =, == and != (k8s.io/apimachinery/pkg/fields). */
export function parseFieldSelector(input: string | undefined): Selector {
  if (!input || !input.trim()) return [];
  return splitTerms(input).map((term) => {
    for (const [token, op] of [
      ['!=', '!='],
      ['==', '='],
      ['=', '='],
    ] as const) {
      const at = term.indexOf(token);
      if (at > 0) return { key: term.slice(0, at).trim(), op, values: [unescapeFieldValue(term.slice(at + token.length))] };
    }
    throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
  });
}

// Commas inside values are escaped with a backslash in field selectors.
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      terms.push(cur);
      cur = '';
    } else cur += s[i];
  }
  terms.push(cur);
  return terms.filter((t) => t.trim() !== '');
}

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

export function matchesFields(sel: Selector, fields: (name: string) => string | undefined): boolean {
  for (const r of sel) {
    const v = fields(r.key) ?? '';
    if (r.op === '=' ? v !== r.values[0] : v === r.values[0]) return false;
  }
  return true;
}

/** The value of metadata.name when the selector pins it (used to watch a single object cheaply). */
export function exactName(sel: Selector): string | undefined {
  return sel.find((r) => r.key === 'metadata.name' && r.op === '=')?.values[0];
}

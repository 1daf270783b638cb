// Label and field selectors with the syntax and error texts of k8s.io/apimachinery/pkg/labels and pkg/fields.
import { badRequest, fieldErrorString } from '../errors.js';
import { labelValue, qualifiedName } from './validation.js';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type Selector = Requirement[];

/** Go sorts strings by their UTF-8 bytes; kube's messages depend on that order. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

type TokenKind = 'end' | 'identifier' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

interface Token {
  kind: TokenKind;
  text: string;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);

/** Tokenizes a label selector as kube's labels.Lexer does. */
function lex(s: string): Token[] {
  let pos = 0;
  // Go's lexer reads bytes and takes a NUL byte, like the end of input, as "no character".
  const read = (): string => {
    const ch = pos < s.length ? s[pos++] : '';
    return ch === '\0' ? '' : ch;
  };
  // Puts back a character read too far. The end of input was never consumed; a NUL read there stays consumed, as in kube.
  const unread = (ch: string) => {
    if (ch) pos--;
  };
  const tokens: Token[] = [];
  for (;;) {
    let ch = read();
    while (WHITESPACE.has(ch)) ch = read();
    if (!ch) return [...tokens, { kind: 'end', text: '' }];
    let text = ch;
    if (SYMBOLS.has(ch)) {
      // "!=" and "==" are the only operators longer than one character.
      ch = read();
      if ((text === '!' || text === '=') && ch === '=') {
        text += ch;
        ch = read();
      }
      unread(ch);
      tokens.push({ kind: text as TokenKind, text });
    } else {
      for (ch = read(); ch && !SYMBOLS.has(ch) && !WHITESPACE.has(ch); ch = read()) text += ch;
      unread(ch);
      tokens.push({ kind: text === 'in' || text === 'notin' ? text : 'identifier', text });
    }
  }
}

const BINARY_OPERATORS: Partial<Record<TokenKind, Operator>> = { in: 'in', notin: 'notin', '=': '=', '==': '=', '!=': '!=', '>': 'gt', '<': 'lt' };

/** Parses a label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`) like labels.Parse. Throws a 400 on bad syntax. */
export function parseLabelSelector(input: string | undefined): Selector {
  const tokens = lex(input ?? '');
  let at = 0;
  // Only where an operator is due are "in" and "notin" keywords; elsewhere they are identifiers.
  const peek = (operatorDue = false): Token => {
    const t = tokens[at];
    return !operatorDue && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'identifier', text: t.text } : t;
  };
  const next = (operatorDue = false): Token => {
    const t = peek(operatorDue);
    at++;
    return t;
  };
  const fail = (message: string): never => {
    throw badRequest(message);
  };
  // Errors inside one requirement carry kube's prefix; errors between requirements do not.
  const failRequirement = (why: string): never => fail(`unable to parse requirement: ${why}`);

  const parseValues = (): string[] => {
    const open = next();
    if (open.kind !== '(') failRequirement(`found '${open.text}' expected: '('`);
    const first = peek();
    if (first.kind === ')') {
      next();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== ',') failRequirement(`found '${first.text}', expected: ',', ')' or identifier`);
    // kube's reading of empty values: a leading or trailing comma, and each ",," pair, stand for "".
    const values: string[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'identifier') {
        values.push(t.text);
        const after = peek();
        if (after.kind === ')') break;
        if (after.kind !== ',') failRequirement(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.length === 0) values.push('');
        const after = peek();
        if (after.kind === ')') {
          values.push('');
          break;
        }
        if (after.kind === ',') {
          next();
          values.push('');
        }
      } else failRequirement(`found '${t.text}', expected: ',', or identifier`);
    }
    next(); // the ')'
    return [...new Set(values)];
  };

  const parseExactValue = (): string => {
    const t = peek();
    if (t.kind === 'end' || t.kind === ',') return '';
    next();
    if (t.kind !== 'identifier') failRequirement(`found '${t.text}', expected: identifier`);
    return t.text;
  };

  const parseRequirement = (): Requirement => {
    let t = next();
    const negated = t.kind === '!';
    if (negated) t = next();
    if (t.kind !== 'identifier') failRequirement(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrors = qualifiedName(key);
    // kube parses without a field path, which prints as "<nil>".
    if (keyErrors.length) failRequirement(invalidValue('<nil>', key, keyErrors));
    if (negated) return { key, op: '!', values: [] };
    if (peek().kind === 'end' || peek().kind === ',') return { key, op: 'exists', values: [] };
    const opToken = next(true);
    const op = BINARY_OPERATORS[opToken.kind] ?? failRequirement(`found '${opToken.text}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = op === 'in' || op === 'notin' ? parseValues() : [parseExactValue()];
    const errors = valueErrors(key, op, values);
    if (errors.length) failRequirement(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    return { key, op, values };
  };

  const reqs: Requirement[] = [];
  for (;;) {
    const t = peek();
    if (t.kind === 'end') return reqs;
    if (t.kind !== 'identifier' && t.kind !== '!') fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    reqs.push(parseRequirement());
    const separator = next();
    if (separator.kind === 'end') return reqs;
    if (separator.kind !== ',') fail(`found '${separator.text}', expected: ',' or 'end of string'`);
    const after = peek();
    if (after.kind !== 'identifier' && after.kind !== '!') fail(`found '${after.text}', expected: identifier after ','`);
  }
}

const invalidValue = (field: string, value: string, errors: string[]) =>
  fieldErrorString({ type: 'FieldValueInvalid', field, badValue: value, detail: errors.join('; ') });

/** NewRequirement's value checks. kube keeps the values as a sorted set, and its messages index them in that order. */
function valueErrors(key: string, op: Operator, values: string[]): string[] {
  const sorted = [...values].sort(byteOrder);
  const errors: string[] = [];
  if (op === 'gt' || op === 'lt')
    sorted.forEach((v, i) => {
      if (parseInt64(v) === undefined) errors.push(invalidValue(`values[${i}]`, v, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
    });
  sorted.forEach((v, i) => {
    const errs = labelValue(v);
    if (errs.length) errors.push(invalidValue(`values[${i}][${key}]`, v, errs));
  });
  return errors;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
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
        const n = has ? parseInt64(v!) : undefined;
        const bound = parseInt64(r.values[0]);
        if (n === undefined || bound === undefined || !(r.op === 'gt' ? n > bound : n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** Field selectors only support =, == and != (k8s.io/apimachinery/pkg/fields.ParseSelector). */
export function parseFieldSelector(input: string | undefined): Selector {
  if (!input) return [];
  // kube sorts the terms before parsing them, which decides the error reported when several are bad.
  return splitTerms(input)
    .sort(byteOrder)
    .filter((term) => term !== '')
    .map((term) => {
      // The field name cannot be escaped, so the first operator splits the term.
      const m = /!=|==|=/.exec(term);
      if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
      return { key: term.slice(0, m.index), op: m[0] === '!=' ? '!=' : '=', values: [unescapeFieldValue(term.slice(m.index + m[0].length))] };
    });
}

// Commas inside values are escaped with a backslash; the backslash stays in the term.
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** fields.UnescapeValue: only \\, \, and \= are escapes, and '=' must be escaped (commas were split on already). */
function unescapeFieldValue(v: string): string {
  let out = '';
  let escaped = false;
  for (const c of v) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    // Go formats the rune with %v, which prints its number.
    else if (c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
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

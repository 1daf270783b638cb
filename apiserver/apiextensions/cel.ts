// x-kubernetes-validations: CEL rules compiled once per schema and evaluated along the object, `self` bound to the
// value at the rule's node and `oldSelf` to the correlated old value on update (transition rules run only when there
// is one). Failures read as kube's: the message (or "failed rule: <rule>") against the node's schema type.
import { celEnv, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { deepEqual } from '../../storage/json.js';
import { correlateChild, isObject, memberSchema, renderPath, type Segment } from './structural.js';
import type { JSONSchemaProps, ValidationRule } from './types.js';
import type { KubeFieldError } from './fielderrors.js';

const env = celEnv({ funcs: strings });

type Program = (bindings: Record<string, unknown>) => CelResult;

interface CompiledRule {
  rule: ValidationRule;
  program?: Program;
  messageProgram?: Program;
  compileError?: string;
  usesOldSelf: boolean;
}

/** The rules of one schema node and of the nodes below it that have any. */
interface RuleNode {
  schema: JSONSchemaProps;
  rules: CompiledRule[];
  /** The root of a resource (the object, or an embedded resource): its metadata shows only name and generateName. */
  resourceRoot: boolean;
  properties?: Map<string, RuleNode>;
  additional?: RuleNode;
  items?: RuleNode;
  allOf?: RuleNode[];
}

/** Compiles every rule in the schema; undefined when it has none. */
export function compileRules(schema: JSONSchemaProps): RuleNode | undefined {
  return compileNode(schema, schema, true);
}

/**
 * Compiles the rules found in `v` for values of schema `s`. The two differ under allOf, whose subschemas carry
 * rules (and nested rules) for the value that `s` describes.
 */
function compileNode(v: JSONSchemaProps, s: JSONSchemaProps, resourceRoot: boolean): RuleNode | undefined {
  const node: RuleNode = { schema: s, rules: (v['x-kubernetes-validations'] ?? []).map(compileRule), resourceRoot };
  let any = node.rules.length > 0;
  for (const [k, sub] of Object.entries(v.properties ?? {})) {
    const prop = s.properties?.[k];
    const child = prop && compileNode(sub, prop, prop['x-kubernetes-embedded-resource'] === true);
    if (child) (node.properties ??= new Map()).set(k, child), (any = true);
  }
  if (isObject(v.additionalProperties) && isObject(s.additionalProperties)) {
    const ap = s.additionalProperties as JSONSchemaProps;
    node.additional = compileNode(v.additionalProperties as JSONSchemaProps, ap, ap['x-kubernetes-embedded-resource'] === true);
    any ||= node.additional !== undefined;
  }
  if (v.items && s.items) {
    node.items = compileNode(v.items, s.items, s.items['x-kubernetes-embedded-resource'] === true);
    any ||= node.items !== undefined;
  }
  const allOf = (v.allOf ?? []).map((sub) => compileNode(sub, s, resourceRoot)).filter((n): n is RuleNode => !!n);
  if (allOf.length) (node.allOf = allOf), (any = true);
  return any ? node : undefined;
}

function compileRule(rule: ValidationRule): CompiledRule {
  try {
    const parsed = parse(rule.rule);
    const compiled: CompiledRule = { rule, program: plan(env, parsed) as Program, usesOldSelf: mentionsOldSelf(parsed) };
    if (rule.messageExpression) {
      try {
        compiled.messageProgram = plan(env, parse(rule.messageExpression)) as Program;
      } catch {
        // kube rejects such a CRD; here the static message stands in.
      }
    }
    return compiled;
  } catch (err) {
    return { rule, compileError: err instanceof Error ? err.message : String(err), usesOldSelf: false };
  }
}

/** Whether the parsed expression refers to the identifier oldSelf (a transition rule). */
function mentionsOldSelf(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(mentionsOldSelf);
  if (!isObject(node)) return false;
  if (node.case === 'identExpr' && isObject(node.value) && node.value.name === 'oldSelf') return true;
  return Object.values(node).some(mentionsOldSelf);
}

interface Walk {
  errors: KubeFieldError[];
}

/**
 * Evaluates the rules against obj (old on update) and returns the failures. Failures of rules that do not use
 * oldSelf on values unchanged since the old object are dropped (kube's ratcheting turns them into warnings).
 */
export function validateRules(root: RuleNode, obj: unknown, old: unknown): KubeFieldError[] {
  const walk: Walk = { errors: [] };
  visit(walk, root, obj, old, [], old !== undefined && deepEqual(obj, old));
  return walk.errors;
}

type PathStep = { seg: Segment; mapKey?: boolean };

function visit(walk: Walk, node: RuleNode, value: unknown, old: unknown, path: PathStep[], unchanged: boolean): void {
  // Rules see only non-null values; a rule on the parent can check for null.
  if (value === null || value === undefined) return;
  evaluate(walk, node, value, old, path, unchanged);
  for (const sub of node.allOf ?? []) visit(walk, sub, value, old, path, unchanged);
  const step = (child: RuleNode | undefined, seg: Segment, v: unknown, mapKey?: boolean) => {
    if (!child) return;
    const o = correlateChild(node.schema, old, seg, v);
    const r = correlateChild(node.schema, old, seg, v, true);
    visit(walk, child, v, o, [...path, { seg, mapKey }], r !== undefined ? deepEqual(v, r) : unchanged);
  };
  if (Array.isArray(value)) value.forEach((v, i) => step(node.items, i, v));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const prop = node.schema.properties && Object.hasOwn(node.schema.properties, k);
      if (prop) step(node.properties?.get(k), k, v);
      else step(node.additional, k, v, true);
    }
  }
}

function evaluate(walk: Walk, node: RuleNode, value: unknown, old: unknown, path: PathStep[], unchanged: boolean): void {
  if (!node.rules.length) return;
  const type = node.schema.type ?? '';
  const field = renderPath(path) || '<nil>';
  const self = toCel(value, node.schema, node.resourceRoot);
  const oldSelf = old === undefined || old === null ? undefined : toCel(old, node.schema, node.resourceRoot);
  for (const c of node.rules) {
    if (c.compileError !== undefined) {
      walk.errors.push({ type: 'FieldValueInvalid', field, badValue: type, detail: `rule compile error: ${c.compileError}` });
      continue;
    }
    if (c.usesOldSelf && oldSelf === undefined) continue;
    const bindings = c.usesOldSelf ? { self, oldSelf } : { self };
    const result = c.program!(bindings);
    if (isCelError(result)) {
      walk.errors.push({ type: 'FieldValueInvalid', field, badValue: type, detail: evaluationError(result.message, c.rule) });
      continue;
    }
    if (result === true || (!c.usesOldSelf && unchanged)) continue;
    const target = c.rule.fieldPath ? renderPath([...path, ...fieldPathSteps(c.rule.fieldPath, node.schema)]) : field;
    const detail = messageOf(c, bindings);
    switch (c.rule.reason) {
      case 'FieldValueForbidden':
        walk.errors.push({ type: 'FieldValueForbidden', field: target, detail });
        break;
      case 'FieldValueRequired':
        walk.errors.push({ type: 'FieldValueRequired', field: target, detail });
        break;
      case 'FieldValueDuplicate':
        walk.errors.push({ type: 'FieldValueDuplicate', field: target, badValue: type });
        break;
      default:
        walk.errors.push({ type: 'FieldValueInvalid', field: target, badValue: type, detail });
    }
  }
}

/** The evaluated messageExpression when it yields a usable one-line string, else the message or "failed rule". */
function messageOf(c: CompiledRule, bindings: Record<string, unknown>): string {
  const m = c.messageProgram?.(bindings);
  if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) return m.trim();
  return c.rule.message ? c.rule.message.trim() : `failed rule: ${c.rule.rule.trim()}`;
}

/** kube's text for a rule that failed to evaluate, with the runtime errors named as cel-go names them. */
function evaluationError(message: string, rule: ValidationRule): string {
  const ruleText = (rule.message || rule.rule).trim();
  if (message.startsWith('found no matching overload'))
    return `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`;
  return `${message.replace(/^field not found: /, 'no such key: ')} evaluating rule: ${ruleText}`;
}

/** A rule's fieldPath (`.spec.x`, `['a.b']`) as path steps below the rule's node. */
function fieldPathSteps(fieldPath: string, schema: JSONSchemaProps): PathStep[] {
  const steps: PathStep[] = [];
  let s: JSONSchemaProps | undefined = schema;
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/g)) {
    const name = m[1] ?? m[2].replace(/\\(.)/g, '$1');
    const named = !!s?.properties && Object.hasOwn(s.properties, name);
    steps.push({ seg: name, mapKey: !named });
    s = memberSchema(s, name);
  }
  return steps;
}

const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function',
  'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** kube's escaping of property names into CEL identifiers; undefined for names CEL cannot reach. */
export function escapeProperty(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  let ok = true;
  const out = name.replace(/__|[^a-zA-Z0-9_]/g, (c) => {
    switch (c) {
      case '__': return '__underscores__';
      case '.': return '__dot__';
      case '-': return '__dash__';
      case '/': return '__slash__';
      default:
        ok = false;
        return '';
    }
  });
  return ok ? out : undefined;
}

/**
 * A JSON value as the CEL value kube binds for its schema: integers as int (bigint), numbers as double, objects with
 * properties as messages of their (escaped) declared fields, maps and untyped objects keyed as they are.
 */
function toCel(v: unknown, s: JSONSchemaProps | undefined, resourceRoot = false): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return (s?.type === 'integer' || (s?.type !== 'number' && Number.isInteger(v))) ? BigInt(Math.trunc(v)) : v;
  if (Array.isArray(v)) return v.map((i) => toCel(i, s?.items));
  if (!isObject(v)) return v;
  const out = new Map<string, unknown>();
  for (const [k, val] of Object.entries(v)) {
    if (resourceRoot && (k === 'apiVersion' || k === 'kind')) out.set(k, val);
    else if (resourceRoot && k === 'metadata' && isObject(val)) {
      const meta = new Map<string, unknown>();
      for (const f of ['name', 'generateName']) if (typeof val[f] === 'string') meta.set(f, val[f]);
      out.set(k, meta);
    } else if (s?.properties && Object.hasOwn(s.properties, k)) {
      const name = escapeProperty(k);
      if (name !== undefined) out.set(name, toCel(val, s.properties[k]));
    } else if (!s?.properties) out.set(k, toCel(val, isObject(s?.additionalProperties) ? (s!.additionalProperties as JSONSchemaProps) : undefined));
  }
  return out;
}

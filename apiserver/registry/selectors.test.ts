import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from '../errors.js';
import {
  exactName,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type Requirement,
  type Selector,
} from './selectors.js';

const req = (key: string, op: Requirement['op'], ...values: string[]): Requirement => ({ key, op, values });

/** Asserts fn throws a 400 BadRequest APIError, with the exact message when one is given. */
function assertBadRequest(fn: () => unknown, message?: string | RegExp, label = ''): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(err instanceof APIError, `${label}: expected an APIError, got ${String(err)}`);
      assert.equal(err.code, 400, label);
      assert.equal(err.reason, 'BadRequest', label);
      if (typeof message === 'string') assert.equal(err.message, message, label);
      else if (message) assert.match(err.message, message, label);
      return true;
    },
    label,
  );
}

const QUALIFIED_NAME_REGEX_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_REGEX_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('parseLabelSelector parses every operator, whitespace and the empty selector', () => {
  const cases: [string | undefined, Selector][] = [
    [undefined, []],
    ['', []],
    ['   ', []],
    ['a=b', [req('a', '=', 'b')]],
    ['a==b', [req('a', '=', 'b')]],
    ['a!=b', [req('a', '!=', 'b')]],
    ['a in (x,y)', [req('a', 'in', 'x', 'y')]],
    ['a notin (z)', [req('a', 'notin', 'z')]],
    ['a', [req('a', 'exists')]],
    ['!a', [req('a', '!')]],
    ['n>3', [req('n', 'gt', '3')]],
    ['n<12', [req('n', 'lt', '12')]],
    ['a=', [req('a', '=', '')]],
    ['a=,b', [req('a', '=', ''), req('b', 'exists')]],
    ['a in ()', [req('a', 'in', '')]],
    ['example.com/app=web', [req('example.com/app', '=', 'web')]],
    ['app.kubernetes.io/name in (nginx, envoy)', [req('app.kubernetes.io/name', 'in', 'nginx', 'envoy')]],
    // "in"/"notin" are keywords only in operator position (kube's Values parser context).
    ['x in (in,notin)', [req('x', 'in', 'in', 'notin')]],
    ['in in (a)', [req('in', 'in', 'a')]],
    ['  a = b ,  c  in ( x , y ) , ! d , e  ', [req('a', '=', 'b'), req('c', 'in', 'x', 'y'), req('d', '!'), req('e', 'exists')]],
    ['a\t!=\tb', [req('a', '!=', 'b')]],
    ['tier=fe,env notin (prod,staging),!canary,rev>10', [req('tier', '=', 'fe'), req('env', 'notin', 'prod', 'staging'), req('canary', '!'), req('rev', 'gt', '10')]],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseLabelSelector(input), want, JSON.stringify(input));
});

test('matchesLabels follows kube Requirement.Matches for each operator', () => {
  const labels = { app: 'web', tier: 'fe', n: '5', empty: '' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['missing=', false],
    ['empty=', true],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app in (db)', false],
    ['missing in (x)', false],
    ['empty in ()', true],
    ['app notin (web)', false],
    ['app notin (db)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['n<5', false],
    ['n>0', true],
    ['app>1', false], // label value is not an integer
    ['missing<5', false],
    ['app,tier=fe', true],
    ['app,tier=be', false],
    ['app=web,!tier', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchesLabels(parseLabelSelector(sel), labels), want, sel);
});

test('matchesLabels with no labels and with keys that exist on Object.prototype', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['a', false],
    ['!a', true],
    ['a!=b', true],
    ['a notin (b)', true],
    ['a=b', false],
    ['a in (b)', false],
    ['a>1', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchesLabels(parseLabelSelector(sel), undefined), want, `undefined labels: ${sel}`);
  // Inherited properties are not labels.
  assert.equal(matchesLabels(parseLabelSelector('constructor'), {}), false);
  assert.equal(matchesLabels(parseLabelSelector('!toString'), {}), true);
  assert.equal(matchesLabels(parseLabelSelector('hasOwnProperty!=x'), {}), true);
});

test('parseLabelSelector rejects bad syntax with a 400 BadRequest APIError', () => {
  const bad = ['a=b c', 'a in b', 'a in (x y)', 'a in (x', 'a foo b', 'bad_=x', 'a=b_', 'a>x', '!a=b', ',a', 'a,,b', '=a', '!', 'a=(b)', 'a in (b))', 'app:web'];
  for (const input of bad) assertBadRequest(() => parseLabelSelector(input), undefined, input);
});

test('parseLabelSelector error texts that already match kube', () => {
  const cases: [string, string][] = [
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a foo b', "unable to parse requirement: found 'foo', expected: in, notin, =, ==, !=, gt, lt"],
  ];
  for (const [input, message] of cases) assertBadRequest(() => parseLabelSelector(input), message, input);
});

test('parseLabelSelector error texts match kube labels.Parse (k8s 1.32)', () => {
  const cases: [string, string][] = [
    // Errors after a requirement come from parse(), without the "unable to parse requirement" prefix.
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a in (b))', "found ')', expected: ',' or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a,,b', "found ',', expected: identifier after ','"],
    // parseValues / parseIdentifiersList / parseExactValue texts.
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (x y)', "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    // NewRequirement's field errors.
    ['bad_=x', `unable to parse requirement: <nil>: Invalid value: "bad_": ${QUALIFIED_NAME_REGEX_MSG}`],
    ['app:web', `unable to parse requirement: <nil>: Invalid value: "app:web": ${QUALIFIED_NAME_REGEX_MSG}`],
    ['a=b_', `unable to parse requirement: values[0][a]: Invalid value: "b_": ${LABEL_VALUE_REGEX_MSG}`],
    ['a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [input, message] of cases) assertBadRequest(() => parseLabelSelector(input), message, input);
});

test('parseLabelSelector rejects what kube rejects', () => {
  assertBadRequest(() => parseLabelSelector('a=b,'), "found '', expected: identifier after ','", 'a=b,');
  assertBadRequest(
    () => parseLabelSelector('app.kubernetes_io/name=x'),
    `unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'invalid prefix',
  );
  assertBadRequest(() => parseLabelSelector('/name=x'), /prefix part must be non-empty/, 'empty prefix');
  // Gt/Lt values are label values too, so negative numbers are rejected.
  assertBadRequest(() => parseLabelSelector('n<-2'), `unable to parse requirement: values[0][n]: Invalid value: "-2": ${LABEL_VALUE_REGEX_MSG}`, 'negative');
  assertBadRequest(() => parseLabelSelector('n>99999999999999999999'), /for 'Gt', 'Lt' operators, the value must be an integer/, 'beyond int64');
});

test('empty values inside in (...) are kept as kube does', () => {
  assert.deepEqual(parseLabelSelector('a in (x,)'), [req('a', 'in', 'x', '')]);
  assert.equal(matchesLabels(parseLabelSelector('a in (x,,y)'), { a: '' }), true);
  assert.equal(matchesLabels(parseLabelSelector('a notin (x,)'), { a: '' }), false);
});

test('parseLabelSelector follows kube in the corners of its lexer and value lists', () => {
  const cases: [string, Selector][] = [
    ['a in (,)', [req('a', 'in', '')]],
    ['a in (,,x)', [req('a', 'in', '', 'x')]],
    ['a in (x,x)', [req('a', 'in', 'x')]],
    ['n>9223372036854775807', [req('n', 'gt', '9223372036854775807')]],
    // Go's lexer reads a NUL byte as the end of input: right after a token it is skipped, after blanks it ends the selector.
    ['a\0', [req('a', 'exists')]],
    ['a=\0b', [req('a', '=', 'b')]],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseLabelSelector(input), want, JSON.stringify(input));
  const bad: [string, string][] = [
    ['a in (x,,)', "unable to parse requirement: found ')', expected: ',', or identifier"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a!==b', "unable to parse requirement: found '=', expected: identifier"],
    ['a, \0b', "found '', expected: identifier after ','"],
    ['a\fb', `unable to parse requirement: <nil>: Invalid value: "a\\fb": ${QUALIFIED_NAME_REGEX_MSG}`],
    ['n>9223372036854775808', `unable to parse requirement: values[0]: Invalid value: "9223372036854775808": for 'Gt', 'Lt' operators, the value must be an integer`],
    // Several errors are aggregated; values are indexed in kube's sorted order.
    ['a in (z_,b_)', `unable to parse requirement: [values[0][a]: Invalid value: "b_": ${LABEL_VALUE_REGEX_MSG}, values[1][a]: Invalid value: "z_": ${LABEL_VALUE_REGEX_MSG}]`],
    [
      'n>-x',
      `unable to parse requirement: [values[0]: Invalid value: "-x": for 'Gt', 'Lt' operators, the value must be an integer, values[0][n]: Invalid value: "-x": ${LABEL_VALUE_REGEX_MSG}]`,
    ],
  ];
  for (const [input, message] of bad) assertBadRequest(() => parseLabelSelector(input), message, JSON.stringify(input));
});

test('gt/lt compare as int64', () => {
  assert.equal(matchesLabels(parseLabelSelector('n>9007199254740992'), { n: '9007199254740993' }), true);
  assert.equal(matchesLabels(parseLabelSelector('n<9007199254740993'), { n: '9007199254740992' }), true);
  assert.equal(matchesLabels(parseLabelSelector('n<0'), { n: '-9223372036854775808' }), true);
  assert.equal(matchesLabels(parseLabelSelector('n>0'), { n: '9223372036854775808' }), false);
});

test('parseFieldSelector handles =, ==, != and escaped values', () => {
  const cases: [string | undefined, Selector][] = [
    [undefined, []],
    ['', []],
    ['metadata.name=foo', [req('metadata.name', '=', 'foo')]],
    ['metadata.name==foo', [req('metadata.name', '=', 'foo')]],
    ['metadata.name!=foo', [req('metadata.name', '!=', 'foo')]],
    // kube sorts the terms before parsing them.
    ['status.phase=Running,spec.nodeName!=n1', [req('spec.nodeName', '!=', 'n1'), req('status.phase', '=', 'Running')]],
    ['a=b!c', [req('a', '=', 'b!c')]],
    ['metadata.name=', [req('metadata.name', '=', '')]],
    ['metadata.name=a\\,b', [req('metadata.name', '=', 'a,b')]],
    ['metadata.name=a\\=b', [req('metadata.name', '=', 'a=b')]],
    ['metadata.name=a\\\\b', [req('metadata.name', '=', 'a\\b')]],
    ['metadata.name=a\\,b,metadata.namespace=ns', [req('metadata.name', '=', 'a,b'), req('metadata.namespace', '=', 'ns')]],
    ['metadata.name=x,', [req('metadata.name', '=', 'x')]],
    [',metadata.name=x', [req('metadata.name', '=', 'x')]],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseFieldSelector(input), want, JSON.stringify(input));
});

test('parseFieldSelector rejects terms without an operator like kube', () => {
  const cases: [string, string][] = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
  ];
  for (const [input, message] of cases) assertBadRequest(() => parseFieldSelector(input), message, input);
});

test('parseFieldSelector splits and unescapes like k8s.io/apimachinery/pkg/fields', () => {
  // kube splits at the first operator; "b!=c" then holds an unescaped '='.
  assertBadRequest(() => parseFieldSelector('a=b!=c'), /^invalid field selector: unescaped character in value: /, 'a=b!=c');
  assertBadRequest(() => parseFieldSelector('a=b=c'), /^invalid field selector: unescaped character in value: /, 'a=b=c');
  assertBadRequest(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x', 'a=b\\x');
  assertBadRequest(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\', 'a=b\\');
  // The field name is not trimmed, and may be empty (kube then reports the unsupported field).
  assert.deepEqual(parseFieldSelector('metadata.name = x'), [req('metadata.name ', '=', ' x')]);
  assert.deepEqual(parseFieldSelector('=x'), [req('', '=', 'x')]);
});

test('parseFieldSelector error texts match kube', () => {
  const cases: [string, string][] = [
    // Go prints the offending rune with %v: its number.
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    // Only the empty selector selects everything.
    ['  ', "invalid selector: '  '; can't understand '  '"],
    // The terms are sorted first, so the error is the first bad term in that order.
    ['b=x=y,a=\\q', 'invalid field selector: invalid escape sequence: \\q'],
  ];
  for (const [input, message] of cases) assertBadRequest(() => parseFieldSelector(input), message, input);
});

test('matchesFields compares with "" for missing fields', () => {
  const fields: Record<string, string> = { 'metadata.name': 'foo', 'status.phase': 'Running' };
  const get = (name: string) => fields[name];
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=foo', true],
    ['metadata.name=bar', false],
    ['metadata.name!=bar', true],
    ['metadata.name!=foo', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['spec.nodeName!=n1', true],
    ['metadata.name=foo,status.phase=Running', true],
    ['metadata.name=foo,status.phase!=Running', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchesFields(parseFieldSelector(sel), get), want, sel);
});

test('exactName returns the pinned metadata.name only for an equality term', () => {
  const cases: [string, string | undefined][] = [
    ['', undefined],
    ['metadata.name=foo', 'foo'],
    ['metadata.name==foo', 'foo'],
    ['metadata.name!=foo', undefined],
    ['metadata.namespace=foo', undefined],
    ['status.phase=Running,metadata.name=bar', 'bar'],
    ['metadata.name!=x,metadata.name=y', 'y'],
    ['metadata.name=', ''],
  ];
  for (const [sel, want] of cases) assert.equal(exactName(parseFieldSelector(sel)), want, sel);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goS, goTypeString, goV } from './gofmt.js';

// Expected texts are what Go's fmt prints for the value json.Unmarshal (with PreserveInts) gives.
const cases: [string, string, string][] = [
  ['%v of a map sorts keys and nests', goV({ b: [1, 'x', null, true], a: { c: 'd' } }), 'map[a:map[c:d] b:[1 x <nil> true]]'],
  ['%v of an integer', goV(1000000), '1000000'],
  ['%v of a float in plain range', goV(123456.5), '123456.5'],
  ['%v of a small float', goV(0.0001), '0.0001'],
  ['%v of a float from 1e6 takes an exponent', goV(1234567.5), '1.2345675e+06'],
  ['%v of a float below 1e-4 takes an exponent', goV(-0.000025), '-2.5e-05'],
  ['%s of a string', goS('x'), 'x'],
  ['%s of an integer', goS(5), '%!s(int64=5)'],
  ['%s of a float', goS(1.5), '%!s(float64=1.5)'],
  ['%s of a bool', goS(true), '%!s(bool=true)'],
  ['%s of nil', goS(null), '%!s(<nil>)'],
  ['%s inside a map', goS({ a: 1, b: 'c' }), 'map[a:%!s(int64=1) b:c]'],
  ['reflect type of nil', goTypeString(null), '%!s(<nil>)'],
  ['reflect type of a list', goTypeString([]), '[]interface {}'],
  ['reflect type of a map', goTypeString({}), 'map[string]interface {}'],
];

for (const [name, got, want] of cases) test(`go fmt: ${name}`, () => assert.equal(got, want));

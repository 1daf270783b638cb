import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringTable, internStrings } from './intern.js';

test('internStrings keeps every value and enters each distinct short string once', () => {
  const cases: { name: string; value: unknown; distinct: number }[] = [
    { name: 'scalars other than strings are left alone', value: { n: 1, b: true, z: null }, distinct: 0 },
    { name: 'a top-level array', value: ['a', 'b', 'a', 3], distinct: 2 },
    {
      name: 'nested objects and arrays, values repeated across them',
      value: { metadata: { name: 'x', labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'pause' }, { name: 'y', args: ['x', 'pause'] }] } },
      distinct: 3,
    },
    { name: 'keys are not values', value: { app: 'web', web: 'app' }, distinct: 2 },
    { name: 'strings longer than 512 characters are not entered', value: { short: 'a', long: 'x'.repeat(513), edge: 'y'.repeat(512) }, distinct: 2 },
    { name: 'a bare string is returned as it is', value: 'alone', distinct: 0 },
  ];
  for (const c of cases) {
    const table = new StringTable();
    const before = structuredClone(c.value);
    const out = internStrings(c.value, table);
    assert.equal(out, c.value, `${c.name}: the value itself is returned`);
    assert.deepEqual(out, before, `${c.name}: nothing changes`);
    assert.equal(table.size, c.distinct, c.name);
  }
});

test('a table gives back its first copy of a string, and starts again empty when full', () => {
  const table = new StringTable(3);
  for (const s of ['a', 'b', 'a', 'c', 'b']) table.intern(s);
  assert.equal(table.size, 3);
  assert.equal(table.intern('a'), 'a');
  assert.equal(table.size, 3, 'a known string adds nothing, even to a full table');
  table.intern('d');
  assert.equal(table.size, 1, 'a new string once the table is full replaces the table');
  assert.equal(table.intern('d'), 'd');
  assert.equal(table.size, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printerColumns, typedCell } from './columns.js';

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', creationTimestamp: new Date(Date.now() - 90_000).toISOString() },
  spec: { replicas: 3, ratio: 2.5, paused: false, size: 'm', selector: { b: 2, a: 1 }, tags: ['x', 'y'] },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True', lastTransitionTime: new Date(Date.now() - 3_600_000).toISOString() }] },
};

test('without printer columns a custom resource prints Name and Age', () => {
  const cols = printerColumns(undefined);
  assert.deepEqual(cols.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Age', 'date', undefined]]);
  assert.deepEqual(cols.map((c) => c.cell(widget)), ['w1', '90s']);
  assert.equal(printerColumns([]), cols);
});

test('printer columns follow Name exactly as declared, Age only if declared', () => {
  const cols = printerColumns([
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'readiness' },
    { name: 'Since', type: 'date', jsonPath: ".status.conditions[?(@.type=='Ready')].lastTransitionTime", priority: 1 },
    { name: 'Ratio', type: 'number', format: 'float', jsonPath: '.spec.ratio' },
    { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
    { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
    { name: 'First Tag', type: 'string', jsonPath: '.spec.tags[0]' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
  ]);
  assert.deepEqual(cols.map((c) => c.name), ['Name', 'Replicas', 'Ready', 'Since', 'Ratio', 'Paused', 'Selector', 'First Tag', 'Missing']);
  assert.deepEqual(cols.map((c) => c.priority), [0, 0, 0, 1, 0, 0, 0, 0, 0]);
  assert.equal(cols[1].description, 'Custom resource definition column (in JSONPath format): .spec.replicas');
  assert.equal(cols[2].description, 'readiness');
  assert.equal(cols[4].format, 'float');
  assert.deepEqual(cols.map((c) => c.cell(widget)), ['w1', 3, 'True', '60m', 2.5, false, '{"a":1,"b":2}', 'x', null]);
});

test('cells take the column type: other types print nothing, strings print any scalar', () => {
  assert.equal(typedCell('integer', 2.9), 2);
  assert.equal(typedCell('integer', '2'), null);
  assert.equal(typedCell('number', 3), 3);
  assert.equal(typedCell('boolean', 'true'), null);
  assert.equal(typedCell('string', 3), '3');
  assert.equal(typedCell('string', 1e21), '1e+21');
  assert.equal(typedCell('string', 0.5), '0.5');
  assert.equal(typedCell('string', true), 'true');
  assert.equal(typedCell('string', null), null);
  assert.equal(typedCell('date', 'yesterday'), '<invalid>');
  assert.equal(typedCell('date', ''), '<unknown>');
  assert.equal(typedCell('date', '2020-01-01T00:00:00Z', Date.parse('2020-01-03T01:00:00Z')), '2d1h');
});

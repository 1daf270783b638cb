import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepConditionTimes, templateHash } from './simulator-status.js';

test('templateHash is stable, ignores key order and uses kube safe-encoding alphabet', () => {
  const a = templateHash({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
  const b = templateHash({ spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { app: 'web' } } });
  const c = templateHash({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.notEqual(templateHash({}, 1), templateHash({}));
  assert.match(a, /^[bcdf4-9]{1,10}$/);
});

test('templateHash keeps the values statuses already name (integer-like keys first, non-ASCII text as UTF-8)', () => {
  const template = {
    spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    metadata: { labels: { b: '2', a: '1', '10': 'x', '9': 'y' }, annotations: { é: 'ü' } },
  };
  assert.equal(templateHash(template), '56dc7cfcd');
  assert.equal(templateHash(template, 2), '6b678cdd4d');
});

test('keepConditionTimes keeps stored times while a condition holds', () => {
  const old = [
    { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastUpdateTime: 't0', lastTransitionTime: 't0' },
    { type: 'Progressing', status: 'True', reason: 'A', message: 'x', lastUpdateTime: 't0', lastTransitionTime: 't0' },
    { type: 'Available', status: 'False', reason: 'U', message: 'u', lastUpdateTime: 't0', lastTransitionTime: 't0' },
  ];
  const next = [
    { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastUpdateTime: 't1', lastTransitionTime: 't1' },
    { type: 'Progressing', status: 'True', reason: 'B', message: 'y', lastUpdateTime: 't1', lastTransitionTime: 't1' },
    { type: 'Available', status: 'True', reason: 'V', message: 'v', lastUpdateTime: 't1', lastTransitionTime: 't1' },
  ];
  assert.deepEqual(
    keepConditionTimes(next, old)!.map((c) => [c.type, c.lastUpdateTime, c.lastTransitionTime]),
    [['Ready', 't0', 't0'], ['Progressing', 't1', 't0'], ['Available', 't1', 't1']],
  );
});

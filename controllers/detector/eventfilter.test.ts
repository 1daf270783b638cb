import assert from 'node:assert/strict';
import { test } from 'node:test';
import { specFingerprint } from './eventfilter.js';

test('only metadata that signals a spec or claim change makes an update worth reconciling', () => {
  const base = { name: 'nginx', namespace: 'default', generation: 1, resourceVersion: '10', labels: { app: 'nginx' }, managedFields: [{ manager: 'a' }] };
  const fp = specFingerprint(base);
  assert.ok(fp);
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['a status write: new resourceVersion and managedFields only', { resourceVersion: '11', managedFields: [{ manager: 'b' }] }, false],
    ['a spec change moves the generation', { resourceVersion: '11', generation: 2 }, true],
    ['a label change (a claim, or a selector now matching)', { resourceVersion: '11', labels: { app: 'nginx', tier: 'web' } }, true],
    ['an annotation change', { resourceVersion: '11', annotations: { a: 'b' } }, true],
    ['deletion starting', { resourceVersion: '11', deletionTimestamp: '2024-01-01T00:00:00Z' }, true],
  ];
  for (const [name, change, want] of cases) assert.equal(specFingerprint({ ...base, ...change }) !== fp, want, name);
  assert.equal(specFingerprint({ name: 'settings', namespace: 'default', resourceVersion: '3' }), undefined, 'no generation: every update counts');
});

// TemplateSource against a real apiserver: lookups made before an informer has listed are announced once it has.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startControllerFleet, type ControllerFleet } from '../testing.js';
import { TemplateSource, type TemplateRef } from './templates.js';

let fleet: ControllerFleet;

before(async () => {
  fleet = await startControllerFleet({ members: 0, namespaces: ['apps'] });
  await fleet.clients.core.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'present' }, data: { k: 'v' } } });
});

after(() => fleet?.stop());

test('a lookup made before the informer has listed is announced once it has, whether the object exists or not', async () => {
  const announced: TemplateRef[] = [];
  const source = new TemplateSource(fleet.context(), (ref) => announced.push(ref));
  const present = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'present' };
  const absent = { ...present, name: 'absent' };
  // The informer is created by the first lookup, and lists after it.
  assert.equal((await source.get(absent)).state, 'unsynced');
  assert.equal((await source.get(present)).state, 'unsynced');
  await fleet.until('both lookups announced', async () => (announced.some((r) => r.name === 'absent') && announced.some((r) => r.name === 'present') ? true : undefined));
  assert.deepEqual(announced.find((r) => r.name === 'absent'), absent, 'an object that does not exist is announced as it was looked up');
  assert.equal((await source.get(absent)).state, 'absent');
  assert.equal((await source.get(present)).state, 'found');
});

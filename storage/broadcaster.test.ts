import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Broadcaster } from './broadcaster.js';
import type { StoreEvent } from './store.js';

const event = (key: string, rv: number): StoreEvent => ({ type: 'ADDED', key, rv, object: { metadata: { name: key } } }) as unknown as StoreEvent;

test('an event reaches every watcher whose prefix starts its key, and no other, once each', () => {
  const b = new Broadcaster();
  const heard = new Map<string, string[]>();
  const prefixes = [
    '',
    '/registry/',
    '/registry/apps/deployments/',
    '/registry/apps/deployments/ns1/',
    '/registry/apps/deployments/ns1/web',
    '/registry/apps/deployments/ns1/we',
    '/registry/apps/deployments/ns2/',
    '/registry/core/configmaps/',
    '/clusters/member1/registry/apps/deployments/',
  ];
  for (const p of prefixes) b.subscribe(p, 0, (e) => heard.set(p, [...(heard.get(p) ?? []), `${e.key}@${e.rv}`]));
  const keys = ['/registry/apps/deployments/ns1/web', '/registry/apps/deployments/ns1/web2', '/registry/core/configmaps/ns1/c', '/clusters/member1/registry/apps/deployments/ns/d', 'plain'];
  keys.forEach((k, i) => b.dispatch(event(k, i + 1)));
  for (const p of prefixes) {
    const want = keys.flatMap((k, i) => (k.startsWith(p) ? [`${k}@${i + 1}`] : []));
    assert.deepEqual(heard.get(p) ?? [], want, `prefix ${JSON.stringify(p)}`);
  }
});

test('a stopped watcher hears nothing more; two on one prefix both hear; an old event is not delivered again', () => {
  const b = new Broadcaster();
  const a: number[] = [];
  const c: number[] = [];
  const stopA = b.subscribe('/x/', 0, (e) => a.push(e.rv));
  b.subscribe('/x/', 1, (e) => c.push(e.rv));
  b.dispatch(event('/x/1', 1));
  b.dispatch(event('/x/2', 2));
  stopA.stop();
  b.dispatch(event('/x/3', 3));
  b.dispatch(event('/x/2', 2));
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(c, [2, 3], 'the second watcher had rv 1 already');
});

test('a throwing watcher does not keep the event from the others', () => {
  const b = new Broadcaster();
  const heard: string[] = [];
  b.subscribe('/a/', 0, () => {
    throw new Error('broken');
  });
  b.subscribe('/a/b', 0, (e) => heard.push(e.key));
  b.dispatch(event('/a/b', 1));
  assert.deepEqual(heard, ['/a/b']);
});

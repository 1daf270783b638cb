import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { Reflector, type Watcher } from './reflector.js';

const obj = (name: string, rv: string, data = rv, namespace = 'ns'): KubernetesObject & { data: string } => ({
  metadata: { namespace, name, resourceVersion: rv },
  data,
});

/** A watcher the test drives: each watch() is recorded with its callbacks, to send events on and to end. */
class ScriptedWatcher implements Watcher {
  readonly watches: { rv: string; send: (phase: string, o: any) => void; end: (err: any) => void; aborted: () => boolean }[] = [];

  async watch(_path: string, params: Record<string, string>, callback: (phase: string, o: any) => void, done: (err: any) => void): Promise<AbortController> {
    const ctl = new AbortController();
    this.watches.push({ rv: params.resourceVersion!, send: callback, end: done, aborted: () => ctl.signal.aborted });
    return ctl;
  }

  get last() {
    return this.watches[this.watches.length - 1]!;
  }
}

function harness(lists: (KubernetesObject[] | Error)[]) {
  const heard: string[] = [];
  const errors: unknown[] = [];
  const watcher = new ScriptedWatcher();
  let listRV = 10;
  const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    const next = lists.shift();
    if (!next) throw new Error('no more lists');
    if (next instanceof Error) throw next;
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(listRV++) }, items: next };
  };
  const name = (o: KubernetesObject) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`;
  const reflector = new Reflector<KubernetesObject>(
    '/api/v1/configmaps',
    watcher,
    listFn,
    {
      add: (o) => heard.push(`add ${name(o)}`),
      update: (o, old) => heard.push(`update ${name(old)} -> ${name(o)}`),
      delete: (o, old) => heard.push(`delete ${name(o)} (cached ${name(old)})`),
    },
    (err) => errors.push(err),
  );
  return { reflector, watcher, heard, errors };
}

const settle = () => new Promise((r) => setImmediate(r));

test('a reflector lists, then watches from the list, and hands each change over with the object it replaced', async () => {
  const { reflector, watcher, heard, errors } = harness([[obj('a', '1'), obj('b', '2')]]);
  await reflector.start();
  assert.deepEqual(heard, ['add a@1', 'add b@2']);
  assert.equal(watcher.last.rv, '10');

  const w = watcher.last;
  w.send('MODIFIED', obj('a', '11'));
  w.send('MODIFIED', obj('a', '11', 'same version, other data'));
  w.send('ADDED', obj('c', '12', 'c', 'other'));
  w.send('DELETED', obj('b', '13'));
  w.send('DELETED', obj('never-seen', '14'));
  w.send('BOOKMARK', { metadata: { resourceVersion: '15' } });
  assert.deepEqual(heard.slice(2), ['update a@1 -> a@11', 'add c@12', 'delete b@13 (cached b@2)']);
  assert.deepEqual(reflector.list('ns').map((o) => o.metadata?.name), ['a']);
  assert.deepEqual(reflector.list().map((o) => o.metadata?.name).sort(), ['a', 'c']);
  assert.equal(reflector.get('c', 'other')?.metadata?.resourceVersion, '12');
  assert.equal(reflector.get('c'), undefined);

  // A clean end re-watches from the latest resourceVersion, the bookmark's, without listing.
  w.end(null);
  await settle();
  assert.equal(watcher.last.rv, '15');
  assert.ok(w.aborted());
  assert.deepEqual(errors, []);
});

test('410 Expired lists again: what the list lacks is deleted, what changed is updated, what did not is not heard', async () => {
  for (const expiry of ['an ERROR event', 'a 410 response']) {
    const { reflector, watcher, heard } = harness([
      [obj('a', '1'), obj('b', '2'), obj('c', '3')],
      [obj('a', '1'), obj('b', '20'), obj('d', '21')],
    ]);
    await reflector.start();
    heard.length = 0;
    if (expiry === 'an ERROR event') {
      watcher.last.send('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
      watcher.last.end(null);
    } else {
      watcher.last.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    }
    await settle();
    assert.deepEqual(heard, ['delete c@3 (cached c@3)', 'update b@2 -> b@20', 'add d@21'], expiry);
    assert.equal(watcher.last.rv, '11', `${expiry}: watches from the new list`);
  }
});

test('other errors go to onError and stop it; start resumes from the latest resourceVersion', async () => {
  const { reflector, watcher, heard, errors } = harness([[obj('a', '1')], new Error('list refused')]);
  await reflector.start();
  watcher.last.send('MODIFIED', obj('a', '5'));
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  watcher.last.end(reset);
  await settle();
  assert.deepEqual(errors, [reset]);
  assert.equal(watcher.watches.length, 1, 'not re-watched after an error');
  await reflector.start();
  assert.equal(watcher.last.rv, '5');
  assert.deepEqual(heard, ['add a@1', 'update a@1 -> a@5']);

  // A list that fails rejects start, and nothing is watched.
  const failing = harness([new Error('list refused')]);
  await assert.rejects(failing.reflector.start(), /list refused/);
  assert.equal(failing.watcher.watches.length, 0);
});

test('stop aborts the watch, and its end starts nothing', async () => {
  const { reflector, watcher, errors } = harness([[obj('a', '1')]]);
  await reflector.start();
  const w = watcher.last;
  reflector.stop();
  assert.ok(w.aborted());
  w.end(null);
  await settle();
  assert.equal(watcher.watches.length, 1);
  assert.deepEqual(errors, []);
});

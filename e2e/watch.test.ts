// Watch and list semantics over raw HTTPS streaming, compared with kube-apiserver: replay for resourceVersion
// unset/"0", exact resourceVersions, bookmarks, timeouts, 410 Expired after a restart, selectors, watch-list
// (sendInitialEvents), Table watches, the legacy /watch/ path, and consistent paginated lists.
import assert from 'node:assert/strict';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APIServerProcess } from './harness.js';

let server: APIServerProcess;
before(async () => {
  server = await APIServerProcess.start(['--watch-bookmark-interval', '1s']);
});
after(async () => {
  for (const w of openWatches) w.close();
  await server.destroy();
});

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

interface Watch {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every complete newline-delimited event received so far. */
  events: WatchEvent[];
  /** The whole body, for a response that is not a watch stream (an error). */
  body: string;
  ended: boolean;
  /** Waits (bounded) until cond holds for the events received so far. */
  waitFor(what: string, cond: (events: WatchEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Waits (bounded) for the server to end the stream. */
  waitEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

const openWatches = new Set<Watch>();

function tls() {
  const pki = join(server.dataDir, 'pki');
  return { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens a watch with node:https; resolves once the response headers are in (an error response: once it is read). */
function openWatch(path: string, headers: Record<string, string> = {}): Promise<Watch> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    const w: Watch = {
      status: 0,
      headers: {},
      events: [],
      body: '',
      ended: false,
      waitFor: (what, cond, timeoutMs = 10_000) => until(what, () => cond(w.events), timeoutMs, () => `on ${path}: ${JSON.stringify(w.events)}`),
      waitEnd: (timeoutMs = 15_000) => until('the end of the stream', () => w.ended, timeoutMs, () => `on ${path}`),
      close: () => {
        openWatches.delete(w);
        req.destroy();
      },
    };
    req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', servername: 'localhost', ...tls(), headers: { accept: 'application/json', ...headers } }, (res) => {
      w.status = res.statusCode!;
      w.headers = res.headers;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        w.body += chunk;
        if (w.status !== 200) return;
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) w.events.push(JSON.parse(line));
        }
      });
      const done = () => {
        w.ended = true;
        openWatches.delete(w);
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
      if (w.status === 200) resolve(w);
      else res.on('end', () => resolve(w));
    });
    req.on('error', (err) => {
      w.ended = true;
      if (w.status === 0) reject(err);
    });
    req.end();
    openWatches.add(w);
  });
}

const names = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}`.trim());
const rvOf = (o: any) => BigInt(o.metadata.resourceVersion);

async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
  const res = await server.request(method, path, { body: body === undefined ? undefined : JSON.stringify(body), headers });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} → ${res.status} ${res.body}`);
  return res.json();
}

async function namespace(name: string): Promise<string> {
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return `/api/v1/namespaces/${name}/configmaps`;
}

function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

const MERGE = { 'content-type': 'application/merge-patch+json' };

/** The resourceVersion a fresh list reports: a watch from it sees exactly what happens next. */
async function currentRV(path: string): Promise<string> {
  return (await ok('GET', path)).metadata.resourceVersion;
}

for (const rv of [undefined, '0']) {
  test(`resourceVersion ${rv === undefined ? 'unset' : '"0"'}: existing objects as ADDED, then changes`, async () => {
    const CM = await namespace(`replay-${rv ?? 'unset'}`);
    await ok('POST', CM, cm('a', { v: '1' }));
    await ok('POST', CM, cm('b'));
    const w = await openWatch(`${CM}?watch=true${rv !== undefined ? `&resourceVersion=${rv}` : ''}`);
    try {
      assert.equal(w.status, 200);
      assert.match(String(w.headers['content-type']), /^application\/json/);
      await w.waitFor('the replay', (e) => e.length >= 2);
      assert.deepEqual(names(w.events.slice(0, 2)).sort(), ['ADDED a', 'ADDED b']);
      await ok('POST', CM, cm('c'));
      await ok('PATCH', `${CM}/a`, { data: { v: '2' } }, MERGE);
      await ok('DELETE', `${CM}/b`);
      await w.waitFor('the changes', (e) => e.length >= 5);
      assert.deepEqual(names(w.events), [...names(w.events.slice(0, 2)), 'ADDED c', 'MODIFIED a', 'DELETED b']);
      assert.equal(w.events[3].object.data.v, '2');
      // Every streamed change is newer than the replayed state.
      const replayed = w.events.slice(0, 2).map(({ object }) => rvOf(object));
      for (const e of w.events.slice(2)) for (const r of replayed) assert.ok(rvOf(e.object) > r);
    } finally {
      w.close();
    }
  });
}

test('an exact resourceVersion streams only the changes after it', async () => {
  const CM = await namespace('exact');
  const x = await ok('POST', CM, cm('x', { v: '1' }));
  await ok('POST', CM, cm('other'));
  const modified = await ok('PATCH', `${CM}/x`, { data: { v: '2' } }, MERGE);
  const w = await openWatch(`${CM}?watch=true&resourceVersion=${x.metadata.resourceVersion}`);
  try {
    assert.equal(w.status, 200);
    await w.waitFor('the change after the version', (e) => e.length >= 2);
    assert.deepEqual(names(w.events), ['ADDED other', 'MODIFIED x']);
    assert.equal(w.events[1].object.metadata.resourceVersion, modified.metadata.resourceVersion);
    await ok('DELETE', `${CM}/x`);
    await w.waitFor('the deletion', (e) => e.length >= 3);
    assert.deepEqual(names(w.events), ['ADDED other', 'MODIFIED x', 'DELETED x']);
    assert.ok(rvOf(w.events[2].object) > rvOf(modified), 'DELETED carries the deletion\'s resourceVersion');
    assert.equal(w.events[2].object.data.v, '2', 'DELETED carries the last state');
  } finally {
    w.close();
  }
});

test('allowWatchBookmarks delivers BOOKMARK events carrying only kind, apiVersion and resourceVersion', async () => {
  const CM = await namespace('bookmarks');
  const from = await currentRV(CM);
  const withBookmarks = await openWatch(`${CM}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true`);
  const without = await openWatch(`${CM}?watch=true&resourceVersion=${from}&timeoutSeconds=3`);
  try {
    const created = await ok('POST', CM, cm('marked'));
    await withBookmarks.waitFor('a bookmark after the event', (e) => e.some((x, i) => x.type === 'BOOKMARK' && e.slice(0, i).some((y) => y.type === 'ADDED')), 15_000);
    const bookmark = withBookmarks.events.find((e, i) => e.type === 'BOOKMARK' && withBookmarks.events.slice(0, i).some((y) => y.type === 'ADDED'))!;
    assert.deepEqual(Object.keys(bookmark.object).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.equal(bookmark.object.kind, 'ConfigMap');
    assert.equal(bookmark.object.apiVersion, 'v1');
    assert.deepEqual(Object.keys(bookmark.object.metadata), ['resourceVersion']);
    assert.ok(rvOf(bookmark.object) >= rvOf(created), 'a bookmark is never older than an event already sent');
    // Bookmark resourceVersions never go backwards.
    const marks = withBookmarks.events.filter((e) => e.type === 'BOOKMARK').map((e) => rvOf(e.object));
    for (let i = 1; i < marks.length; i++) assert.ok(marks[i] >= marks[i - 1]);
    // Without allowWatchBookmarks: no bookmark over a watch that outlives several bookmark intervals.
    await without.waitEnd();
    assert.deepEqual(names(without.events), ['ADDED marked']);
  } finally {
    withBookmarks.close();
    without.close();
  }
});

test('timeoutSeconds=1 ends the stream', async () => {
  const CM = await namespace('timeout');
  const w = await openWatch(`${CM}?watch=true&timeoutSeconds=1`);
  assert.equal(w.status, 200);
  await w.waitEnd();
  assert.deepEqual(w.events, []);
});

test('a resourceVersion older than the restart → 200, then an ERROR event with 410 Expired', async () => {
  const CM = await namespace('expired');
  const old = await ok('POST', CM, cm('one'));
  await ok('POST', CM, cm('two'));
  const latest = await currentRV(CM);
  await server.stop();
  await server.start();
  const w = await openWatch(`${CM}?watch=true&resourceVersion=${old.metadata.resourceVersion}`);
  try {
    assert.equal(w.status, 200, w.body);
    await w.waitFor('the error event', (e) => e.length >= 1);
    assert.equal(w.events[0].type, 'ERROR');
    const status = w.events[0].object;
    assert.equal(status.kind, 'Status');
    assert.equal(status.apiVersion, 'v1');
    assert.equal(status.status, 'Failure');
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /^too old resource version: \d+ \(\d+\)$/);
    await w.waitEnd();
    assert.equal(w.events.length, 1, 'the stream ends after the error');
  } finally {
    w.close();
  }
  // "0" and unset still work after the restart: they start from the current state.
  const fresh = await openWatch(`${CM}?watch=true&resourceVersion=0&timeoutSeconds=5`);
  try {
    await fresh.waitFor('the replay', (e) => e.length >= 2);
    assert.deepEqual(names(fresh.events).sort(), ['ADDED one', 'ADDED two']);
  } finally {
    fresh.close();
  }
  // The newest resourceVersion from before the restart is not too old: a watch from it sees only what follows.
  const resumed = await openWatch(`${CM}?watch=true&resourceVersion=${latest}`);
  try {
    await ok('POST', CM, cm('three'));
    await resumed.waitFor('the new object', (e) => e.length >= 1);
    assert.deepEqual(names(resumed.events), ['ADDED three']);
  } finally {
    resumed.close();
  }
});

test('fieldSelector=metadata.name=X watches only X', async () => {
  const CM = await namespace('single');
  await ok('POST', CM, cm('x'));
  await ok('POST', CM, cm('x2'));
  await ok('POST', CM, cm('y'));
  const w = await openWatch(`${CM}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=x')}`);
  try {
    await ok('PATCH', `${CM}/y`, { data: { a: '1' } }, MERGE);
    await ok('PATCH', `${CM}/x2`, { data: { a: '1' } }, MERGE);
    await ok('PATCH', `${CM}/x`, { data: { a: '1' } }, MERGE);
    await ok('DELETE', `${CM}/y`);
    await ok('DELETE', `${CM}/x2`);
    await ok('DELETE', `${CM}/x`);
    await w.waitFor('x deleted', (e) => e.some((x) => x.type === 'DELETED'));
    // Events after the deletion would have arrived before it: the stream is ordered.
    assert.deepEqual(names(w.events), ['ADDED x', 'MODIFIED x', 'DELETED x']);
  } finally {
    w.close();
  }
});

test('label-selector watch: entering the selection is ADDED, leaving it is DELETED', async () => {
  const CM = await namespace('labels');
  const from = await currentRV(CM);
  const w = await openWatch(`${CM}?watch=true&resourceVersion=${from}&labelSelector=${encodeURIComponent('app=web')}`);
  try {
    await ok('POST', CM, cm('l1', {}, { app: 'web' }));
    await ok('POST', CM, cm('l2', {}, { app: 'db' }));
    await ok('PATCH', `${CM}/l1`, { data: { v: '1' } }, MERGE);
    await ok('PATCH', `${CM}/l1`, { metadata: { labels: { app: 'db' } } }, MERGE);
    await ok('PATCH', `${CM}/l2`, { metadata: { labels: { app: 'web' } } }, MERGE);
    await ok('PATCH', `${CM}/l1`, { data: { v: '2' } }, MERGE);
    await ok('DELETE', `${CM}/l1`);
    await ok('DELETE', `${CM}/l2`);
    await w.waitFor('l2 deleted', (e) => e.some((x) => x.type === 'DELETED' && x.object.metadata.name === 'l2'));
    assert.deepEqual(names(w.events), ['ADDED l1', 'MODIFIED l1', 'DELETED l1', 'ADDED l2', 'DELETED l2']);
  } finally {
    w.close();
  }
});

test(
  'label-selector watch: the DELETED for an object leaving the selection carries its previous state at the new resourceVersion',
  async () => {
    // kube's cacheWatcher.convertToWatchEvent: "return a delete event with the previous object content, but with the
    // event's resource version" — so a client filtering on the selector still sees a matching object.
    const CM = await namespace('labels-prev');
    const from = await currentRV(CM);
    const w = await openWatch(`${CM}?watch=true&resourceVersion=${from}&labelSelector=${encodeURIComponent('app=web')}`);
    try {
      await ok('POST', CM, cm('leaver', { v: '1' }, { app: 'web' }));
      const moved = await ok('PATCH', `${CM}/leaver`, { metadata: { labels: { app: 'db' } }, data: { v: '2' } }, MERGE);
      await w.waitFor('the DELETED', (e) => e.some((x) => x.type === 'DELETED'));
      const deleted = w.events.find((e) => e.type === 'DELETED')!.object;
      assert.equal(deleted.metadata.resourceVersion, moved.metadata.resourceVersion);
      assert.deepEqual(deleted.metadata.labels, { app: 'web' });
      assert.deepEqual(deleted.data, { v: '1' });
    } finally {
      w.close();
    }
  },
);

test('sendInitialEvents=true: initial ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end', async () => {
  const CM = await namespace('watchlist');
  const a = await ok('POST', CM, cm('a'));
  const b = await ok('POST', CM, cm('b'));
  const w = await openWatch(`${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  try {
    assert.equal(w.status, 200, w.body);
    await w.waitFor('the initial-events-end bookmark', (e) => e.some((x) => x.type === 'BOOKMARK'));
    const marker = w.events.findIndex((e) => e.type === 'BOOKMARK');
    assert.deepEqual(names(w.events.slice(0, marker)).sort(), ['ADDED a', 'ADDED b']);
    const bookmark = w.events[marker].object;
    assert.equal(bookmark.kind, 'ConfigMap');
    assert.equal(bookmark.apiVersion, 'v1');
    assert.deepEqual(bookmark.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    assert.ok(rvOf(bookmark) >= rvOf(a) && rvOf(bookmark) >= rvOf(b));
    await ok('POST', CM, cm('c'));
    await w.waitFor('a live event', (e) => e.some((x) => x.type === 'ADDED' && x.object.metadata.name === 'c'));
    assert.deepEqual(names(w.events.filter((e) => e.type !== 'BOOKMARK')).slice(2), ['ADDED c']);
  } finally {
    w.close();
  }
});

test('sendInitialEvents without resourceVersionMatch → 422 Invalid', async () => {
  const CM = await namespace('watchlist-invalid');
  const w = await openWatch(`${CM}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`);
  assert.equal(w.status, 422, w.body);
  const status = JSON.parse(w.body);
  assert.equal(status.kind, 'Status');
  assert.equal(status.status, 'Failure');
  assert.equal(status.code, 422);
  assert.equal(status.reason, 'Invalid');
  assert.match(status.message, /resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/);
  assert.equal(status.details.causes[0].field, 'resourceVersionMatch');
  // The server keeps serving.
  assert.equal((await server.request('GET', '/readyz')).status, 200);
});

test('Table watch: each event is a meta.k8s.io/v1 Table with one row; columnDefinitions only on the first', async () => {
  const CM = await namespace('table-watch');
  await ok('POST', CM, cm('first', { a: '1' }));
  const w = await openWatch(`${CM}?watch=true`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  try {
    assert.equal(w.status, 200, w.body);
    await w.waitFor('the replay', (e) => e.length >= 1);
    await ok('POST', CM, cm('second', { a: '1', b: '2' }));
    await w.waitFor('the live event', (e) => e.length >= 2);
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'ADDED']);
    for (const [i, { object: table }] of w.events.entries()) {
      assert.equal(table.kind, 'Table');
      assert.equal(table.apiVersion, 'meta.k8s.io/v1');
      assert.equal(table.rows.length, 1);
      assert.equal(table.rows[0].cells[0], i === 0 ? 'first' : 'second');
      assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata', 'includeObject defaults to Metadata');
      assert.equal(table.rows[0].object.metadata.name, i === 0 ? 'first' : 'second');
    }
    const [head, next] = w.events.map((e) => e.object);
    assert.ok(Array.isArray(head.columnDefinitions) && head.columnDefinitions.length > 0);
    assert.equal(head.columnDefinitions[0].name, 'Name');
    assert.equal(head.rows[0].cells.length, head.columnDefinitions.length);
    assert.ok(next.columnDefinitions == null || next.columnDefinitions.length === 0, JSON.stringify(next.columnDefinitions));
  } finally {
    w.close();
  }
});

test('the legacy /api/v1/watch/namespaces/NS/configmaps path', async () => {
  const CM = await namespace('legacy');
  await ok('POST', CM, cm('old'));
  await ok('POST', CM, cm('other'));
  const all = await openWatch('/api/v1/watch/namespaces/legacy/configmaps');
  const one = await openWatch('/api/v1/watch/namespaces/legacy/configmaps/old');
  try {
    assert.equal(all.status, 200, all.body);
    assert.equal(one.status, 200, one.body);
    await all.waitFor('the replay', (e) => e.length >= 2);
    await one.waitFor('the replay', (e) => e.length >= 1);
    await ok('PATCH', `${CM}/other`, { data: { a: '1' } }, MERGE);
    await ok('PATCH', `${CM}/old`, { data: { a: '1' } }, MERGE);
    await all.waitFor('the change', (e) => e.length >= 4);
    await one.waitFor('the change', (e) => e.length >= 2);
    assert.deepEqual(names(all.events.slice(0, 2)).sort(), ['ADDED old', 'ADDED other']);
    assert.deepEqual(names(all.events.slice(2)), ['MODIFIED other', 'MODIFIED old']);
    assert.deepEqual(names(one.events), ['ADDED old', 'MODIFIED old']);
  } finally {
    all.close();
    one.close();
  }
});

test('limit/continue: later pages show the first page\'s snapshot despite writes in between', async () => {
  const CM = await namespace('pages');
  const created = new Map<string, any>();
  for (let i = 0; i < 6; i++) created.set(`c${i}`, await ok('POST', CM, cm(`c${i}`, { v: 'original' })));

  const page1 = await ok('GET', `${CM}?limit=2`);
  const snapshot = page1.metadata.resourceVersion;
  assert.match(snapshot, /^\d+$/);
  assert.deepEqual(page1.items.map((o: any) => o.metadata.name), ['c0', 'c1']);
  assert.ok(page1.metadata.continue, 'the first page has a continue token');

  // Writes between the pages: a new object in a later page's range, a deletion and an update there.
  await ok('POST', CM, cm('c3a'));
  await ok('DELETE', `${CM}/c4`);
  await ok('PATCH', `${CM}/c3`, { data: { v: 'changed' } }, MERGE);
  await ok('PATCH', `${CM}/c0`, { data: { v: 'changed' } }, MERGE);

  const page2 = await ok('GET', `${CM}?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`);
  assert.equal(page2.metadata.resourceVersion, snapshot, 'continued pages report the snapshot\'s resourceVersion');
  assert.ok(page2.metadata.continue);
  const page3 = await ok('GET', `${CM}?limit=2&continue=${encodeURIComponent(page2.metadata.continue)}`);
  assert.equal(page3.metadata.resourceVersion, snapshot);
  assert.equal(page3.metadata.continue, undefined, 'the last page has no continue token');

  const items = [...page1.items, ...page2.items, ...page3.items];
  assert.deepEqual(items.map((o: any) => o.metadata.name), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  for (const item of items) {
    assert.equal(item.metadata.resourceVersion, created.get(item.metadata.name).metadata.resourceVersion, item.metadata.name);
    assert.equal(item.data.v, 'original', item.metadata.name);
    assert.ok(rvOf(item) <= BigInt(snapshot));
  }

  // A fresh list sees the writes.
  const now = await ok('GET', CM);
  assert.deepEqual(now.items.map((o: any) => o.metadata.name), ['c0', 'c1', 'c2', 'c3', 'c3a', 'c5']);
  assert.ok(BigInt(now.metadata.resourceVersion) > BigInt(snapshot));
});

test('limit: a paged list without selectors reports metadata.remainingItemCount, one with selectors does not', async () => {
  // kube (etcd3 store and watch cache) sets remainingItemCount on every page with a continue token when the list
  // has no label or field selector: with one, what remains would be an estimate.
  const CM = await namespace('remaining');
  for (let i = 0; i < 5; i++) await ok('POST', CM, cm(`r${i}`, {}, { even: String(i % 2 === 0) }));
  const page1 = await ok('GET', `${CM}?limit=2`);
  assert.equal(page1.metadata.remainingItemCount, 3, JSON.stringify(page1.metadata));
  // Continued pages count the first page's snapshot.
  await ok('POST', CM, cm('r5'));
  const page2 = await ok('GET', `${CM}?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`);
  assert.equal(page2.metadata.remainingItemCount, 1, JSON.stringify(page2.metadata));
  const page3 = await ok('GET', `${CM}?limit=2&continue=${encodeURIComponent(page2.metadata.continue)}`);
  assert.deepEqual(page3.items.map((o: any) => o.metadata.name), ['r4']);
  assert.deepEqual(page3.metadata, { resourceVersion: page1.metadata.resourceVersion }, 'the last page has neither continue nor a count');

  const table = await ok('GET', `${CM}?limit=2`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(table.metadata.remainingItemCount, 4, JSON.stringify(table.metadata));
  for (const selector of ['labelSelector=even%3Dtrue', 'fieldSelector=metadata.namespace%3Dremaining']) {
    const selected = await ok('GET', `${CM}?limit=1&${selector}`);
    assert.ok(selected.metadata.continue, selector);
    assert.equal(selected.metadata.remainingItemCount, undefined, selector);
  }
});

/** The same JSON value with the members of every object in reverse order (arrays keep theirs). */
function reverseMembers(v: any): any {
  if (Array.isArray(v)) return v.map(reverseMembers);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseMembers(x)]));
}

test('a PUT of the stored object with its members in another order changes nothing: same resourceVersion, no event', async () => {
  // kubectl replace -f of an unchanged manifest sends the object with its keys sorted.
  const CM = await namespace('reordered-put');
  await ok('POST', CM, cm('r', { a: '1', b: '2' }, { app: 'r', tier: 'web' }));
  const live = await ok('GET', `${CM}/r`);
  const w = await openWatch(`${CM}?watch=true&resourceVersion=${live.metadata.resourceVersion}`);
  try {
    assert.equal(w.status, 200, w.body);
    const put = await ok('PUT', `${CM}/r`, reverseMembers(live));
    assert.deepEqual(put, live, 'the same resourceVersion and managedFields');
    assert.deepEqual(await ok('GET', `${CM}/r`), live);

    const changed = await ok('PUT', `${CM}/r`, reverseMembers({ ...live, data: { a: '1', b: '3' } }));
    assert.ok(rvOf(changed) > rvOf(live), 'a real change still writes');
    await w.waitFor('the real change', (e) => e.length >= 1);
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.resourceVersion}`), [`MODIFIED ${changed.metadata.resourceVersion}`]);
  } finally {
    w.close();
  }
});

test('an empty list has items [] (not null) and carries metadata.resourceVersion', async () => {
  const CM = await namespace('empty-list');
  const res = await server.request('GET', CM);
  assert.equal(res.status, 200);
  assert.match(res.body, /"items":\[\]/);
  const list = res.json();
  assert.equal(list.kind, 'ConfigMapList');
  assert.equal(list.apiVersion, 'v1');
  assert.deepEqual(list.items, []);
  assert.equal(typeof list.metadata.resourceVersion, 'string');
  assert.match(list.metadata.resourceVersion, /^[1-9]\d*$/);
  // A non-empty list's resourceVersion is at least that of its newest item.
  const item = await ok('POST', CM, cm('only'));
  const full = await ok('GET', CM);
  assert.equal(typeof full.metadata.resourceVersion, 'string');
  assert.ok(BigInt(full.metadata.resourceVersion) >= rvOf(item));
  // The same for a selector that matches nothing.
  const none = await server.request('GET', `${CM}?labelSelector=nothing%3Dhere`);
  assert.match(none.body, /"items":\[\]/);
  assert.match(none.json().metadata.resourceVersion, /^[1-9]\d*$/);
});

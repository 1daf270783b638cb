// SharedInformer and InformerFactory against a real apiserver process: sync, cache, handlers feeding work queues,
// replay to late handlers, restarting after the apiserver restarts, and stopping.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import pino from 'pino';
import { APIServerProcess } from '../../e2e/harness.js';
import { listPath } from './client.js';
import { InformerFactory, SharedInformer, generationView, nonStatusView, objectKey, splitKey } from './informer.js';
import { WorkQueue } from './workqueue.js';

let server: APIServerProcess;
let kc: KubeConfig;
let core: CoreV1Api;
let factory: InformerFactory;
const namespace = 'informers';
const path = `/api/v1/namespaces/${namespace}/configmaps`;

before(async () => {
  server = await APIServerProcess.start();
  kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  factory = new InformerFactory(kc, pino({ level: 'silent' }), { initialMs: 100, maxMs: 1000 });
});
after(async () => {
  await factory.stop();
  await server.destroy();
});

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function cm(name: string, data: Record<string, string> = {}): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

test('keys: namespace/name, or name when cluster-scoped', () => {
  assert.equal(objectKey({ metadata: { namespace: 'ns', name: 'a' } }), 'ns/a');
  assert.equal(objectKey({ metadata: { name: 'a' } }), 'a');
  assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitKey('a'), { name: 'a' });
});

test('an informer syncs, caches, feeds queues, replays to late handlers and survives an apiserver restart', async () => {
  await core.createNamespacedConfigMap({ namespace, body: cm('before', { v: '0' }) });

  const inf = factory.forResource<V1ConfigMap>(path);
  assert.equal(factory.forResource(`${path}/`), inf, 'one informer per path');
  assert.equal(await inf.waitForSync(), true);
  assert.equal(factory.hasSynced(), true);
  assert.equal(inf.get(namespace, 'before')?.data?.v, '0');
  assert.deepEqual(inf.list().map((o) => o.metadata!.name), ['before']);

  // Two queues fed by one informer; the reconciler reads the cache, as a level-triggered controller does.
  const seen: string[] = [];
  const other: string[] = [];
  const q = new WorkQueue<string>(
    async (key) => {
      const { namespace: ns, name } = splitKey(key);
      seen.push(`${key}=${inf.get(ns, name)?.data?.v ?? 'gone'}`);
    },
    () => {},
  );
  const q2 = new WorkQueue<string>(async (key) => void other.push(key), () => {});
  const handlers = new AbortController();
  inf.enqueueTo([q, q2], handlers.signal);
  await until('replay of cached objects', () => seen.includes('informers/before=0') && other.includes('informers/before'));

  await core.createNamespacedConfigMap({ namespace, body: cm('a', { v: '1' }) });
  await until('add', () => seen.includes('informers/a=1'));
  const a = await core.readNamespacedConfigMap({ name: 'a', namespace });
  // The caches keep no managedFields, from the list or from the watch, though the API serves them.
  assert.ok(a.metadata?.managedFields?.length);
  assert.equal(inf.get(namespace, 'before')?.metadata?.managedFields, undefined);
  assert.equal(inf.get(namespace, 'a')?.metadata?.managedFields, undefined);
  assert.equal(inf.get(namespace, 'a')?.metadata?.uid, a.metadata?.uid);
  await core.replaceNamespacedConfigMap({ name: 'a', namespace, body: { ...a, data: { v: '2' } } });
  await until('update', () => seen.includes('informers/a=2'));
  await core.deleteNamespacedConfigMap({ name: 'a', namespace });
  await until('delete', () => seen.includes('informers/a=gone'));

  // Restart the apiserver under the informer: ListWatch stops on the connection error; the informer restarts it.
  await server.stop();
  await server.start();
  await core.createNamespacedConfigMap({ namespace, body: cm('after-restart', { v: '3' }) });
  await until('an add after the restart', () => seen.includes('informers/after-restart=3'));
  assert.ok(other.includes('informers/after-restart'));

  // A handler whose signal aborted no longer receives events.
  handlers.abort();
  const count = other.length;
  await core.createNamespacedConfigMap({ namespace, body: cm('unheard') });
  await until('the cache to see it', () => inf.get(namespace, 'unheard') !== undefined);
  assert.equal(other.length, count);
  q.stop();
  q2.stop();
});

test('an informer that cannot list keeps retrying, never syncs, and stop ends waiting for it', async () => {
  const inf = factory.forResource('/apis/nothing.example.com/v1/widgets');
  const stopWaiting = new AbortController();
  const waited = inf.waitForSync(stopWaiting.signal);
  stopWaiting.abort();
  assert.equal(await waited, false);
  const pending = inf.waitForSync();
  await sleep(300); // time to fail a few lists with the test backoff (100 ms initial)
  assert.equal(inf.hasSynced(), false);
  assert.equal(factory.hasSynced(), false);
  await inf.stop();
  assert.equal(await pending, false);
});

test('stop cuts a watch request whose response never comes', async () => {
  // An apiserver that answers lists but hangs on watches, as a frozen one does.
  const sockets = new Set<Socket>();
  let watches = 0;
  const hung = createServer((req, res) => {
    if (new URL(req.url!, 'http://x').searchParams.get('watch') === 'true') return void watches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '1' }, items: [] }));
  });
  hung.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  try {
    const hkc = new KubeConfig();
    const server = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    hkc.loadFromOptions({ clusters: [{ name: 'c', server, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
    const inf = new SharedInformer(hkc, '/api/v1/configmaps', pino({ level: 'silent' }));
    inf.start();
    assert.equal(await inf.waitForSync(), true);
    await until('the watch request', () => watches === 1);
    await inf.stop();
    await until('its connection to be closed', () => sockets.size === 0, 5000);
  } finally {
    hung.closeAllConnections();
    hung.close();
  }
});

test('an index finds cached objects by value, and follows their updates and deletes', async () => {
  const indexed = `/api/v1/namespaces/${namespace}/configmaps?labelSelector=indexed`;
  const labelled = (name: string, team: string): V1ConfigMap => ({ ...cm(name), metadata: { name, namespace, labels: { indexed: 'yes', team } } });
  await core.createNamespacedConfigMap({ namespace, body: labelled('a', 'red') });
  const inf = factory.forResource<V1ConfigMap>(indexed);
  assert.equal(await inf.waitForSync(), true);
  // Added to a synced informer: the objects already cached are indexed too.
  inf.addIndex('team', (o) => [o.metadata?.labels?.team ?? '']);
  const team = (t: string) => inf.byIndex('team', t).map((o) => o.metadata!.name).sort();
  assert.deepEqual(team('red'), ['a']);
  await core.createNamespacedConfigMap({ namespace, body: labelled('b', 'red') });
  await until('b indexed', () => team('red').length === 2);
  await core.patchNamespacedConfigMap({ namespace, name: 'a', body: { metadata: { labels: { team: 'blue' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await until('a moved to blue', () => team('blue').length === 1);
  assert.deepEqual(team('red'), ['b']);
  await core.deleteNamespacedConfigMap({ namespace, name: 'b' });
  await until('b gone', () => team('red').length === 0);
  assert.throws(() => inf.byIndex('colour', 'red'), /has no index colour/);
});

test('view handlers hear of changes to their view only; a late one still gets every cached object', async () => {
  const viewPath = `/api/v1/namespaces/${namespace}/configmaps?labelSelector=view%3Dyes`;
  await core.createNamespacedConfigMap({ namespace, body: { ...cm('viewed', { v: '1' }), metadata: { name: 'viewed', namespace, labels: { view: 'yes' } } } });
  const inf = factory.forResource<V1ConfigMap>(viewPath);
  assert.equal(await inf.waitForSync(), true);
  const heard: string[] = [];
  const note = (what: string) => (o: V1ConfigMap) => heard.push(`${what} ${o.metadata?.name} ${o.data?.v ?? ''}`);
  const ctl = new AbortController();
  inf.addViewHandler(nonStatusView, { add: note('add'), update: note('update'), delete: note('delete') }, ctl.signal);
  assert.deepEqual(heard, ['add viewed 1']);

  // An annotation is part of the view; only resourceVersion, managedFields and status are not.
  const patch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await core.patchNamespacedConfigMap({ namespace, name: 'viewed', body: { metadata: { annotations: { a: 'b' } } } }, patch);
  await until('the annotation', () => heard.length === 2);
  assert.equal(heard[1], 'update viewed 1');
  await core.patchNamespacedConfigMap({ namespace, name: 'viewed', body: { data: { v: '2' } } }, patch);
  await until('the data change', () => heard.length === 3);
  // Another manager applying the same value moves managedFields and resourceVersion only: nothing to hear. The
  // annotation after it is heard, and is all that is.
  const rv = inf.get(namespace, 'viewed')?.metadata?.resourceVersion;
  await core.patchNamespacedConfigMap(
    { namespace, name: 'viewed', fieldManager: 'other', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'viewed', namespace }, data: { v: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );
  await until('the apply in the cache', () => inf.get(namespace, 'viewed')?.metadata?.resourceVersion !== rv);
  await core.patchNamespacedConfigMap({ namespace, name: 'viewed', body: { metadata: { annotations: { a: 'c' } } } }, patch);
  await until('the second annotation', () => heard.length === 4);

  // A status write (Namespaces have a status subresource; ConfigMaps do not): the view of an object without status.
  assert.equal(nonStatusView({ metadata: { name: 'x', resourceVersion: '1' }, spec: { a: 1 }, status: { b: 1 } } as any), nonStatusView({ metadata: { name: 'x', resourceVersion: '2', managedFields: [] }, spec: { a: 1 }, status: { b: 2 } } as any));
  assert.notEqual(nonStatusView({ metadata: { name: 'x' }, data: { a: '1' } } as any), nonStatusView({ metadata: { name: 'x' }, data: { a: '2' } } as any));
  // For kinds whose spec changes move the generation, the metadata says as much.
  const work = (generation: number, rv: string, labels: Record<string, string> = {}) =>
    ({ metadata: { name: 'w', generation, resourceVersion: rv, labels, managedFields: [{ manager: rv }] }, spec: { manifests: [generation] }, status: { rv } }) as any;
  assert.equal(generationView(work(1, '1')), generationView(work(1, '2')));
  assert.notEqual(generationView(work(1, '1')), generationView(work(2, '2')));
  assert.notEqual(generationView(work(1, '1')), generationView(work(1, '2', { a: 'b' })));

  // A second handler of the same view, added late, is replayed the cache; the first hears nothing of that. A third,
  // registered without replay, hears only what happens next.
  const late: string[] = [];
  inf.addViewHandler(nonStatusView, { add: (o) => late.push(`add ${o.data?.v}`) }, ctl.signal);
  assert.deepEqual(late, ['add 2']);
  assert.equal(heard.length, 4);
  const unreplayed: string[] = [];
  const hear = (what: string) => (o: V1ConfigMap) => unreplayed.push(`${what} ${o.metadata?.name}`);
  inf.addViewHandler(nonStatusView, { add: hear('add'), delete: hear('delete') }, ctl.signal, false);
  assert.deepEqual(unreplayed, []);

  await core.deleteNamespacedConfigMap({ namespace, name: 'viewed' });
  await until('the delete', () => heard.length === 5);
  assert.deepEqual(heard.slice(2), ['update viewed 2', 'update viewed 2', 'delete viewed 2']);
  assert.deepEqual(unreplayed, ['delete viewed']);
  ctl.abort();
});

test('a watched object larger than one read arrives whole', async () => {
  const inf = factory.forResource<V1ConfigMap>(path);
  assert.equal(await inf.waitForSync(), true);
  // Several TLS records and socket reads: the event spans many chunks of the response.
  const big = 'x'.repeat(300_000);
  await core.createNamespacedConfigMap({ namespace, body: cm('big', { big, after: 'end' }) });
  await until('the large object', () => inf.get(namespace, 'big') !== undefined);
  assert.equal(inf.get(namespace, 'big')?.data?.big, big);
  assert.equal(inf.get(namespace, 'big')?.data?.after, 'end');
});

async function metricsText(): Promise<string> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(`${kc.getCurrentCluster()!.server}/metrics`), opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

test('informers list page by page, from one snapshot', async () => {
  const ns = 'paged';
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `p${i}`, namespace: ns }, data: { i: String(i) } } });
  const lists = async () => {
    const text = await metricsText();
    return [...text.matchAll(/^apiserver_request_total\{verb="LIST",group="",resource="configmaps"[^}]*code="200"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };
  const before = await lists();
  const paged = await listPath<V1ConfigMap>(kc, `/api/v1/namespaces/${ns}/configmaps`, undefined, { pageSize: 2 });
  assert.equal((await lists()) - before, 3, 'three pages of at most two');
  assert.deepEqual(paged.items.map((c) => c.metadata?.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
  assert.equal((paged.metadata as { continue?: string }).continue, undefined);
  const whole = await core.listNamespacedConfigMap({ namespace: ns });
  assert.equal(paged.metadata?.resourceVersion !== undefined, true);
  assert.ok(Number(paged.metadata!.resourceVersion) <= Number(whole.metadata!.resourceVersion));
});

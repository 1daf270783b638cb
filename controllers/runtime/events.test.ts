// The event recorder against a real apiserver: events are written in the background, repeats become count updates
// (folded together while one is queued), a later run of the component finds what an earlier one wrote, and a
// failure to write is logged, never raised.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { APIServerProcess } from '../../e2e/harness.js';
import { loadClients, type Clients } from './client.js';
import { EventBroadcaster } from './events.js';
import { restClient } from './rest.js';

let server: APIServerProcess;
let clients: Clients;
const logger = pino({ level: 'silent' });

before(async () => {
  server = await APIServerProcess.start();
  clients = loadClients(server.kubeconfig);
});

after(async () => {
  await server?.destroy();
});

/** Writes of events the apiserver has served so far (creates, patches and updates), from its metrics. */
async function eventWrites(): Promise<number> {
  const metrics = (await server.request('GET', '/metrics')).body;
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('resource="events"')) continue;
    if (/verb="(CREATE|PATCH|UPDATE)"/.test(line)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` } });

async function eventsOf(name: string) {
  const list = await restClient(clients.kc).request('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`);
  return list.items as Record<string, any>[];
}

test('repeats of one event are folded into its count, with few writes', async () => {
  const broadcaster = new EventBroadcaster(clients.kc, logger);
  const recorder = broadcaster.recorder('test-controller');
  const before = await eventWrites();
  // record() returns before anything is written: all ten are in hand while the first is being written.
  for (let i = 0; i < 10; i++) assert.equal(recorder.record(pod('a'), 'Normal', 'Synced', 'synced a'), undefined);
  recorder.record(pod('a'), 'Warning', 'Failed', 'failed a');
  await broadcaster.flushed();
  const events = await eventsOf('a');
  assert.deepEqual(events.map((e) => [e.reason, e.count]).sort(), [['Failed', 1], ['Synced', 10]]);
  // The first Synced created, the nine repeats one patch, and Failed one create.
  assert.equal((await eventWrites()) - before, 3);
  const synced = events.find((e) => e.reason === 'Synced')!;
  assert.equal(synced.type, 'Normal');
  assert.equal(synced.source.component, 'test-controller');
  assert.deepEqual(synced.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'a', namespace: 'default', uid: 'uid-a' });
  assert.match(synced.firstTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  // A repeat after the write is one patch of the count.
  recorder.record(pod('a'), 'Normal', 'Synced', 'synced a');
  await broadcaster.flushed();
  assert.equal((await eventsOf('a')).find((e) => e.reason === 'Synced')!.count, 11);
  assert.equal((await eventWrites()) - before, 4);
});

test('a restarted component counts on from the event an earlier run wrote', async () => {
  const first = new EventBroadcaster(clients.kc, logger);
  first.recorder('test-controller').record(pod('b'), 'Normal', 'Synced', 'synced b');
  await first.flushed();
  const second = new EventBroadcaster(clients.kc, logger);
  second.recorder('test-controller').record(pod('b'), 'Normal', 'Synced', 'synced b');
  second.recorder('test-controller').record(pod('b'), 'Normal', 'Synced', 'synced b');
  await second.flushed();
  const events = await eventsOf('b');
  assert.equal(events.length, 1);
  assert.equal(events[0].count, 3);
});

test('an event that cannot be written is logged and dropped; later ones still go out', async () => {
  const lines: string[] = [];
  const broadcaster = new EventBroadcaster(clients.kc, pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }));
  const recorder = broadcaster.recorder('test-controller');
  recorder.record({ ...pod('c'), metadata: { ...pod('c').metadata, namespace: 'no-such-namespace' } }, 'Normal', 'Synced', 'synced c');
  recorder.record(pod('c'), 'Normal', 'Synced', 'synced c');
  await broadcaster.flushed();
  assert.equal((await eventsOf('c')).length, 1);
  assert.equal(lines.length, 1);
  assert.match(JSON.parse(lines[0]).msg, /could not record event/);
});

test('the recorders of one broadcaster share its queue: with too many events queued, new ones are dropped (said once)', async () => {
  const lines: string[] = [];
  const broadcaster = new EventBroadcaster(clients.kc, pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }), { maxQueued: 3 });
  const recorders = [broadcaster.recorder('test-controller'), broadcaster.recorder('other-controller')];
  for (let i = 0; i < 10; i++) recorders[i % 2].record(pod(`d${i}`), 'Normal', 'Synced', 'synced');
  await broadcaster.flushed();
  // One being written (one at a time, as client-go writes them) when the others arrived, three queued behind it.
  const written = (await Promise.all(Array.from({ length: 10 }, (_, i) => eventsOf(`d${i}`)))).filter((e) => e.length > 0).length;
  assert.equal(written, 4);
  assert.equal(lines.filter((l) => /event queue full/.test(l)).length, 1);
});

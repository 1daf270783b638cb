// Crash durability over real HTTPS: writes acknowledged with 201 survive a kill -9 of the apiserver, with the
// resourceVersions they were acknowledged with, and the resourceVersion counter never goes backwards.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APIServerProcess, type HTTPResponse } from './harness.js';

let server: APIServerProcess;
before(async () => {
  server = await APIServerProcess.start();
});
after(async () => {
  await server.destroy();
});

const NS = 'durable';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const WRITERS = 4;
const TARGET_ACKS = 500;
const RUN_MS = 1500;

interface Ack {
  name: string;
  rv: string;
}

/** A POST on the writer's own keep-alive agent; bounded by a socket timeout so no request can hang the test. */
function post(agent: Agent, path: string, body: string): Promise<HTTPResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', agent, servername: 'localhost', headers: { accept: 'application/json', 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

test('acknowledged creates survive kill -9 with their resourceVersions; the counter never goes back', async (t) => {
  const ns = await server.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
  assert.equal(ns.status, 201, ns.body);

  const pki = join(server.dataDir, 'pki');
  const tls = { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) };
  const acks: Ack[][] = Array.from({ length: WRITERS }, () => []);
  const total = () => acks.reduce((n, a) => n + a.length, 0);
  let killed = false;
  const errorsBeforeKill: string[] = [];
  let errorsAfterKill = 0;

  const writer = async (w: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ...tls });
    try {
      for (let i = 0; !killed; i++) {
        const name = `w${w}-${i}`;
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { writer: String(w), seq: String(i) } });
        try {
          const res = await post(agent, CM, body);
          if (res.status === 201) acks[w].push({ name, rv: res.json().metadata.resourceVersion });
          else if (!killed) errorsBeforeKill.push(`${name}: ${res.status} ${res.body}`);
        } catch (err) {
          // Connection errors are expected once the process is gone; anything earlier is a failure.
          if (killed) errorsAfterKill++;
          else errorsBeforeKill.push(`${name}: ${(err as Error).message}`);
          if (killed) return;
        }
        if (errorsBeforeKill.length > 0) return;
      }
    } finally {
      agent.destroy();
    }
  };

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  // Kill while the writers are mid-flight: after RUN_MS, or as soon as enough writes are acknowledged.
  const deadline = Date.now() + RUN_MS;
  while (Date.now() < deadline && total() < TARGET_ACKS && errorsBeforeKill.length === 0) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(errorsBeforeKill, [], 'writes before the kill succeed');
  killed = true;
  await server.stop('SIGKILL');
  await Promise.all(writers);
  assert.deepEqual(errorsBeforeKill, []);
  const acknowledged = acks.flat();
  assert.ok(acknowledged.length > 0, 'some writes were acknowledged before the kill');
  t.diagnostic(`${acknowledged.length} writes acknowledged, ${errorsAfterKill} in flight at the kill`);

  // Per writer, acknowledged resourceVersions strictly increase; across writers they are all distinct.
  for (const [w, list] of acks.entries()) {
    for (let i = 1; i < list.length; i++) {
      assert.ok(BigInt(list[i].rv) > BigInt(list[i - 1].rv), `writer ${w}: ${list[i - 1].name}@${list[i - 1].rv} then ${list[i].name}@${list[i].rv}`);
    }
  }
  const rvs = new Set(acknowledged.map((a) => a.rv));
  assert.equal(rvs.size, acknowledged.length, 'acknowledged resourceVersions are unique');
  for (const a of acknowledged) assert.match(a.rv, /^[1-9]\d*$/);

  // Same data dir, same port.
  await server.start();

  const list = await server.request('GET', CM);
  assert.equal(list.status, 200, list.body);
  const stored = new Map<string, any>((list.json().items as any[]).map((o) => [o.metadata.name, o]));
  const lost = acknowledged.filter((a) => !stored.has(a.name)).map((a) => a.name);
  assert.deepEqual(lost, [], `acknowledged objects lost in the crash (${lost.length} of ${acknowledged.length})`);
  const changed = acknowledged.filter((a) => stored.get(a.name).metadata.resourceVersion !== a.rv).map((a) => `${a.name}: acked ${a.rv}, stored ${stored.get(a.name).metadata.resourceVersion}`);
  assert.deepEqual(changed, [], 'acknowledged objects keep their resourceVersion');
  for (const a of acknowledged) {
    const { data } = stored.get(a.name);
    assert.equal(`w${data.writer}-${data.seq}`, a.name, 'content survives with the object');
  }
  // Whatever else survived (written but not acknowledged before the kill) is complete, too.
  for (const o of stored.values()) assert.match(o.metadata.name, /^w\d-\d+$/);

  // Spot-check single GETs as well.
  for (const a of [acknowledged[0], acknowledged[acknowledged.length - 1]]) {
    const got = await server.request('GET', `${CM}/${a.name}`);
    assert.equal(got.status, 200, got.body);
    assert.equal(got.json().metadata.resourceVersion, a.rv);
  }

  const maxAcked = acknowledged.reduce((m, a) => (BigInt(a.rv) > m ? BigInt(a.rv) : m), 0n);
  assert.ok(BigInt(list.json().metadata.resourceVersion) >= maxAcked, 'the list after restart is at least as new as every acknowledged write');
  const fresh = await server.request('POST', CM, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } }) });
  assert.equal(fresh.status, 201, fresh.body);
  const freshRv = BigInt(fresh.json().metadata.resourceVersion);
  assert.ok(freshRv > maxAcked, `a write after restart (${freshRv}) is newer than every acknowledged write (${maxAcked})`);
  const maxStored = [...stored.values()].reduce((m, o) => (BigInt(o.metadata.resourceVersion) > m ? BigInt(o.metadata.resourceVersion) : m), 0n);
  assert.ok(freshRv > maxStored, `a write after restart (${freshRv}) is newer than every surviving object (${maxStored})`);
});

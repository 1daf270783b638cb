import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import { startAPIServer, type RunningAPIServer } from '../apiserver.js';

const BUFFER = 64 * 1024;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const END_OF_CHUNKED_BODY = '\r\n0\r\n\r\n';

function tlsOptions(server: RunningAPIServer) {
  return { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: server.pki.caCertPem, cert: server.pki.adminCertPem, key: server.pki.adminKeyPem };
}

function call(server: RunningAPIServer, agent: Agent, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ ...tlsOptions(server), agent, method, path, headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A watch that reads everything; resolves once the response headers are in, so the watch is registered. */
function readingWatch(server: RunningAPIServer, fromRv: number) {
  const names: string[] = [];
  let ended = false;
  let partial = '';
  return new Promise<{ names: string[]; ended: () => boolean; destroy: () => void }>((resolve, reject) => {
    const req = request({ ...tlsOptions(server), path: `${CONFIGMAPS}?watch=true&resourceVersion=${fromRv}` }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) names.push(JSON.parse(line).object.metadata.name);
      });
      res.on('end', () => (ended = true));
      resolve({ names, ended: () => ended, destroy: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A watch over a raw TLS connection that stops reading once the response headers are in (the watch is registered by
 * then); received() is everything read so far, and more once the socket is resumed.
 */
function pausedWatch(server: RunningAPIServer, fromRv: number): Promise<{ socket: TLSSocket; received: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(tlsOptions(server), () => {
      socket.write(`GET ${CONFIGMAPS}?watch=true&resourceVersion=${fromRv} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      const established = text.includes('\r\n\r\n');
      text += chunk.toString('latin1');
      if (established || !text.includes('\r\n\r\n')) return;
      socket.pause();
      assert.match(text, /^HTTP\/1\.1 200 /);
      resolve({ socket, received: () => text });
    });
    socket.on('error', reject);
  });
}

const events = (text: string) => text.match(/"type":"ADDED"/g)?.length ?? 0;

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An apiserver with a small watch buffer, and a keep-alive client of it; everything is stopped and removed afterwards. */
async function withServer(fn: (server: RunningAPIServer, client: Client) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-watchbuffer-'));
  const logs: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(line) });
  const server = await startAPIServer({ dataDir, port: 0, logger, watchBufferBytes: BUFFER });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const sockets: { destroy(): void }[] = [];
  try {
    await fn(server, {
      logs,
      track: (s) => void sockets.push(s),
      create: async (name, data) => {
        const res = await call(server, agent, 'POST', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
        assert.equal(res.status, 201, res.body);
      },
      terminated: async () => {
        const { body } = await call(server, agent, 'GET', '/metrics');
        return Number(/^apiserver_terminated_watchers_total\{group="",resource="configmaps"\} (\d+)$/m.exec(body)?.[1] ?? 0);
      },
    });
  } finally {
    for (const s of sockets) s.destroy();
    agent.destroy();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Client {
  logs: string[];
  /** Destroyed when the test ends. */
  track(socket: { destroy(): void }): void;
  create(name: string, data: Record<string, string>): Promise<void>;
  /** apiserver_terminated_watchers_total of configmaps. */
  terminated(): Promise<number>;
}

test('a watch whose client stops reading is closed once its live backlog passes watchBufferBytes; a reading watch is not', { timeout: 120_000 }, async (t) => {
  await withServer(async (server, client) => {
    const fromRv = server.store.currentResourceVersion();
    const reader = await readingWatch(server, fromRv);
    client.track(reader);
    const paused = await pausedWatch(server, fromRv);
    client.track(paused.socket);

    // Far more than BUFFER: the kernel's socket buffers take in megabytes before the server's writes back up.
    const data = { blob: 'x'.repeat(4096) };
    const created: string[] = [];
    const create = async (name: string) => {
      await client.create(name, data);
      created.push(name);
    };
    while ((await client.terminated()) === 0) {
      assert.ok(created.length < 5000, 'the paused watch is closed within 5,000 events of 4 KiB');
      await Promise.all(Array.from({ length: 8 }, (_, i) => create(`cm-${created.length + i}`)));
    }
    // Live events keep flowing to the reader after the paused watch is gone.
    for (let i = 0; i < 5; i++) await create(`after-${i}`);

    await until('the reading watch to receive every event', () => reader.names.length >= created.length);
    assert.deepEqual([...reader.names].sort(), [...created].sort());
    assert.equal(reader.ended(), false, 'the reading watch stays open');
    assert.equal(await client.terminated(), 1, 'only the paused watch was closed');
    const warning = client.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'forcing watcher close due to unresponsiveness');
    assert.ok(warning, 'the close is logged');
    assert.equal(warning.resource, 'configmaps');
    assert.equal(warning.level, 40);

    // The server ended the response properly: a client that reads again gets what was buffered, then the end of the body.
    paused.socket.resume();
    await until('the paused watch body to end', () => paused.received().endsWith(END_OF_CHUNKED_BODY));
    const delivered = events(paused.received());
    assert.ok(delivered > 0 && delivered < created.length, `the paused watch got ${delivered} of ${created.length} events before it was closed`);
    t.diagnostic(`paused watch closed after ${delivered} of ${created.length} events`);
  });
});

test('a replay of history larger than watchBufferBytes does not count against a client that reads it', { timeout: 120_000 }, async () => {
  await withServer(async (server, client) => {
    const fromRv = server.store.currentResourceVersion();
    // Megabytes of replay, more than the kernel's socket buffers take in: most of it is still unsent when the live
    // event below is written.
    const blob = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 12; i++) await client.create(`big-${i}`, { blob });
    const watch = await pausedWatch(server, fromRv);
    client.track(watch.socket);
    await client.create('live', { v: '1' });

    watch.socket.resume();
    await until('the replay and the live event', () => events(watch.received()) === 13);
    assert.match(watch.received(), /"name":"live"/);
    assert.equal(await client.terminated(), 0);
    assert.equal(watch.received().endsWith(END_OF_CHUNKED_BODY), false, 'the watch stays open');
  });
});

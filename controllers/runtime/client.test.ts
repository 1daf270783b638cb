import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer as createHTTPServer } from 'node:http';
import { createServer, request as httpsRequest, type Agent, type RequestOptions, type Server } from 'node:https';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { writeKubeconfig } from '../../apiserver/auth/kubeconfig.js';
import { ensurePKI, issueClientCertificate, type PKI } from '../../apiserver/auth/pki.js';
import { tempDir } from '../../e2e/harness.js';
import { KeepAliveKubeConfig, continueOf, listPath, loadClients, readPages, type PageFetch } from './client.js';
import { restClient } from './rest.js';

let dir: string;
let server: Server;
let kubeconfig: string;
let connections = 0;
/** Per TLS connection: whether it resumed a session, and the common name of the client certificate it presented. */
const handshakes: { resumed: boolean; user?: string }[] = [];
const requests: { path: string; clientCert: boolean; connection?: string; user?: string }[] = [];
let pki: PKI;

function commonName(socket: TLSSocket): string | undefined {
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

before(async () => {
  dir = await tempDir();
  pki = await ensurePKI(dir);
  server = createServer({ cert: pki.servingCertPem, key: pki.servingKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    requests.push({ path: req.url!, clientCert: socket.authorized, connection: req.headers.connection, user: commonName(socket) });
    if (req.url === '/hang') return; // never answered
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 50);
    // Two pages of a list whose snapshot expires before the second; the whole list, unpaged, has three items.
    if (req.url!.startsWith('/api/v1/pods')) {
      const item = (name: string) => ({ metadata: { name, managedFields: [{ manager: 'm' }] } });
      const json = (code: number, body: object) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url!.includes('continue=')) return json(410, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'expired' });
      if (req.url!.includes('limit=')) return json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { continue: 'c1', resourceVersion: '5' }, items: [item('a')] });
      return json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [item('a'), item('b'), item('c')] });
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connections++;
    handshakes.push({ resumed: socket.isSessionReused(), user: commonName(socket) });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kubeconfig = join(dir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

test('the typed clients share one keep-alive connection, and the raw JSON requests theirs, with the client certificate', async () => {
  const clients = loadClients(kubeconfig);
  assert.ok(clients.kc instanceof KeepAliveKubeConfig);
  let before = connections;
  requests.length = 0;
  for (let i = 0; i < 3; i++) await clients.core.listNamespace();
  await clients.customObjects.listClusterCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', plural: 'clusterresourcebindings' });
  assert.equal(connections - before, 1, 'one TLS connection for four sequential typed requests');
  before = connections;
  const rest = restClient(clients.kc);
  for (let i = 0; i < 6; i++) await rest.request('GET', '/api/v1/namespaces');
  // undici opens a second connection for the second request, while the first still signals that it is free again.
  assert.ok(connections - before <= 2, `${connections - before} TLS connections for six sequential raw requests`);
  assert.equal(requests.length, 10);
  assert.ok(requests.every((r) => r.clientCert), 'every request presents the admin certificate');
  assert.ok(requests.every((r) => r.connection !== 'close'), JSON.stringify(requests));
  await (clients.kc as KeepAliveKubeConfig).close();
});

test('lists share the keep-alive connection; watches keep connections of their own', async () => {
  const clients = loadClients(kubeconfig);
  const kc = clients.kc as KeepAliveKubeConfig;
  const shared = await kc.keepAliveAgent();
  // An informer ends its watch by destroying the watch's agent: it must never be the shared one.
  const watch: RequestOptions = {};
  await kc.applyToHTTPSOptions(watch);
  assert.ok(watch.agent && watch.agent !== shared);
  const before = connections;
  requests.length = 0;
  await listPath(kc, '/api/v1/namespaces');
  await listPath(kc, '/api/v1/namespaces');
  assert.equal(connections - before, 1, 'one TLS connection for two lists');
  assert.ok(requests.length === 2 && requests.every((r) => r.clientCert), 'each list presents the admin certificate');
  // Every agent connects on one TLS context, not one built per connection from the PEMs.
  const another: RequestOptions = {};
  await kc.applyToHTTPSOptions(another);
  const contextOf = (agent: unknown) => (agent as { options: { secureContext?: unknown } }).options.secureContext;
  assert.ok(contextOf(watch.agent), 'a watch agent has a TLS context');
  assert.equal(contextOf(another.agent), contextOf(watch.agent));
  assert.equal(contextOf(shared), contextOf(watch.agent));
  await kc.close();
});

/** A GET on its own connection (as a watch has), with the agent applyToHTTPSOptions gives it; resolves at the end of the answer. */
async function getOnOwnConnection(kc: KeepAliveKubeConfig, path: string): Promise<void> {
  const opts: RequestOptions = { method: 'GET' };
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(kc.getCurrentCluster()!.server + path);
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest(url, opts, (res) => res.resume().on('end', resolve).on('error', reject));
    req.on('error', reject);
    req.end();
  });
  (opts.agent as Agent).destroy();
}

test('connections resume the TLS session of an earlier one with the same credentials, whatever their agent', async () => {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(kubeconfig);
  const first = handshakes.length;
  await getOnOwnConnection(kc, '/api/v1/namespaces');
  await getOnOwnConnection(kc, '/api/v1/namespaces');
  await listPath(kc, '/api/v1/namespaces');
  await restClient(kc).request('GET', '/api/v1/namespaces');
  assert.deepEqual(
    handshakes.slice(first),
    [{ resumed: false, user: 'admin' }, { resumed: true, user: 'admin' }, { resumed: true, user: 'admin' }, { resumed: true, user: 'admin' }],
    'the first connection makes a full handshake; a watch, the shared agent and the request dispatcher after it resume its session',
  );
  // New credentials (as an exec plugin renews them) present themselves, never the identity of an old session.
  const other = await issueClientCertificate({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, { commonName: 'renewed' });
  kc.users[0] = { ...kc.users[0], certData: Buffer.from(other.certPem).toString('base64'), keyData: Buffer.from(other.keyPem).toString('base64'), certFile: undefined, keyFile: undefined };
  requests.length = 0;
  await getOnOwnConnection(kc, '/api/v1/namespaces');
  assert.deepEqual(handshakes.at(-1), { resumed: false, user: 'renewed' });
  assert.equal(requests[0]?.user, 'renewed');
  // The same server under another name: its certificate is checked against that name, which a resumed session skips.
  kc.clusters[0] = { ...kc.clusters[0], server: kc.clusters[0].server.replace('127.0.0.1', 'localhost') };
  await getOnOwnConnection(kc, '/api/v1/namespaces');
  assert.deepEqual(handshakes.at(-1), { resumed: false, user: 'renewed' });
  await kc.close();
});

test('the shared agent keeps every connection it opened: requests after a lull open none', async () => {
  const kc = new KeepAliveKubeConfig(24);
  kc.loadFromFile(kubeconfig);
  const rest = restClient(kc);
  const burst = () => Promise.all(Array.from({ length: 24 }, () => rest.request('GET', '/slow')));
  const before = connections;
  await burst();
  assert.equal(connections - before, 24, 'one connection per request in flight');
  await new Promise((r) => setTimeout(r, 20));
  await burst();
  assert.equal(connections - before, 24, 'the second burst reuses the connections of the first');
  await kc.close();
});

test('raw requests to a cluster behind a proxy tunnel through it, with the client certificate', async () => {
  const tunnels: string[] = [];
  const proxy = createHTTPServer();
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url!);
    const { hostname, port } = new URL(`http://${req.url}`);
    const upstream = netConnect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const kc = new KeepAliveKubeConfig();
    kc.loadFromFile(kubeconfig);
    kc.clusters[0] = { ...kc.clusters[0], proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    requests.length = 0;
    assert.deepEqual(await restClient(kc).request('GET', '/api/v1/namespaces'), { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] });
    assert.deepEqual(tunnels, [new URL(kc.clusters[0].server).host]);
    assert.deepEqual(requests.map((r) => [r.path, r.user]), [['/api/v1/namespaces', 'admin']]);
    await kc.close();
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

test('raw requests connect again once the server has closed their connections', async () => {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(kubeconfig);
  const rest = restClient(kc);
  await rest.request('GET', '/api/v1/namespaces');
  const before = connections;
  server.closeAllConnections();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(await rest.request('GET', '/api/v1/namespaces'), { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] });
  assert.equal(connections - before, 1);
  await kc.close();
});

test('a list whose snapshot expires is read again whole, each item transformed once', async () => {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(kubeconfig);
  const seen: string[] = [];
  const list = await listPath(kc, '/api/v1/pods', undefined, {
    transform: (pod) => {
      seen.push(pod.metadata!.name!);
      return { ...pod, metadata: { name: pod.metadata!.name } };
    },
  });
  assert.deepEqual(list.items, [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }, { metadata: { name: 'c' } }]);
  assert.equal(list.metadata?.resourceVersion, '7');
  // The first page's item, then the whole list's.
  assert.deepEqual(seen, ['a', 'a', 'b', 'c']);
  await kc.close();
});

test('the shared TLS context still verifies the server', async () => {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(kubeconfig);
  const wrongCA = (await ensurePKI(join(dir, 'other'))).caCertPem;
  kc.clusters[0] = { ...kc.clusters[0], caData: Buffer.from(wrongCA).toString('base64'), caFile: undefined };
  await assert.rejects(listPath(kc, '/api/v1/namespaces'), (err: NodeJS.ErrnoException) => /certificate|self.signed/i.test(`${err.code} ${err.message}`));
  await kc.close();
});

test('a raw request that gets no answer fails after the timeout, or as soon as its signal aborts', { timeout: 10_000 }, async () => {
  const clients = loadClients(kubeconfig);
  await assert.rejects(restClient(clients.kc, 200).request('GET', '/hang'), /GET \/hang: no response within 200 ms/);
  const ctl = new AbortController();
  const pending = restClient(clients.kc).request('GET', '/hang', { signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  await assert.rejects(pending, { name: 'AbortError' });
  await (clients.kc as KeepAliveKubeConfig).close();
});

test('continueOf reads the token from the text before the items, and nothing from text laid out otherwise', () => {
  const cases: [string, string | undefined][] = [
    ['{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5","continue":"abc="},"items":[{"metadata":{"name":"a"}}]}', 'abc='],
    ['{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}', undefined],
    ['{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5","continue":""},"items":[]}', undefined],
    // Items first: the token is not before them.
    ['{"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"abc="}}', undefined],
    // Within a string a quote is escaped, so "items": there is not taken for the key.
    ['{"kind":"x\\"items\\":[","metadata":{"continue":"abc="},"items":[]}', 'abc='],
    // A key "items" deeper down before the list's own: the text up to it is not JSON.
    ['{"kind":"PodList","extra":{"items":[]},"metadata":{"continue":"abc="},"items":[]}', undefined],
    ['not json', undefined],
  ];
  for (const [text, token] of cases) assert.equal(continueOf(text), token, text);
});

test('the pager asks for the next page, and has sent that request, before it parses the page it has', async () => {
  const log: string[] = [];
  const pages = [
    { metadata: { resourceVersion: '9', continue: 'p2' }, items: [{ metadata: { name: 'a' } }] },
    // Items before metadata: the token is found only once the page is parsed.
    { items: [{ metadata: { name: 'b' } }], metadata: { continue: 'p3' } },
    { metadata: {}, items: [{ metadata: { name: 'c' } }] },
  ];
  const fetch: PageFetch = (token) => {
    const k = token === '' ? 0 : Number(token!.slice(1)) - 1;
    log.push(`request ${k + 1}`);
    const sent = new Promise<void>((r) => setTimeout(() => (log.push(`sent ${k + 1}`), r()), 5));
    return { sent, body: sent.then(() => JSON.stringify(pages[k])) };
  };
  const list = await readPages(fetch, (item) => (log.push(`item ${item.metadata!.name}`), item));
  assert.deepEqual(list.items.map((i) => i.metadata!.name), ['a', 'b', 'c']);
  assert.deepEqual(list.metadata, { resourceVersion: '9' });
  assert.deepEqual(log, ['request 1', 'sent 1', 'request 2', 'sent 2', 'item a', 'request 3', 'item b', 'sent 3', 'item c']);
});

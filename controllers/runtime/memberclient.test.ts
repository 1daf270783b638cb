import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import pino from 'pino';
import { ensurePKI, type PKI } from '../../apiserver/auth/pki.js';
import { tempDir } from '../../e2e/harness.js';
import type { Cluster } from '../../openapi/karmada/types.js';
import type { SharedInformer } from './informer.js';
import { MemberClientError, MemberClients } from './memberclient.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A stand-in for a synced informer: get/list over a list the tests change in place. get hands out a copy, as an
 * informer hands out a new object for each change.
 */
function cache<T extends KubernetesObject>(objects: T[]): SharedInformer<T> & { objects: T[]; listed: boolean } {
  const fake = {
    objects,
    listed: true,
    get: (namespace: string | undefined, name: string) => structuredClone(fake.objects.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace)),
    list: () => fake.objects,
    hasSynced: () => fake.listed,
    waitForSync: async () => fake.listed,
  };
  return fake as unknown as SharedInformer<T> & { objects: T[]; listed: boolean };
}

let dir: string;
let pki: PKI;
let server: Server;
let endpoint: string;
const seen: { path: string; authorization?: string; clientCert: boolean }[] = [];

before(async () => {
  dir = await tempDir();
  pki = await ensurePKI(dir);
  server = createServer({ cert: pki.servingCertPem, key: pki.servingKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const tls = req.socket as import('node:tls').TLSSocket;
    seen.push({ path: req.url!, authorization: req.headers.authorization, clientCert: tls.authorized });
    res.writeHead(req.url === '/clusters/m1/readyz' ? 200 : 404, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/clusters/m1`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function fixtures(secretData: Record<string, string>) {
  const cluster: Cluster = {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'm1', resourceVersion: '1' },
    spec: { syncMode: 'Push', apiEndpoint: endpoint, secretRef: { namespace: 'karmada-cluster', name: 'm1' } },
  };
  const secret: V1Secret = { metadata: { name: 'm1', namespace: 'karmada-cluster', uid: 'u1', resourceVersion: '1' }, data: secretData };
  const clusters = cache<Cluster & KubernetesObject>([cluster as Cluster & KubernetesObject]);
  const secrets = cache<V1Secret>([secret]);
  return { cluster, secret, clusters, secrets, members: new MemberClients(clusters, secrets, pino({ level: 'silent' })) };
}

test('a member client speaks to the apiEndpoint, path prefix included, with the Secret credentials', async () => {
  const { members } = fixtures({ caBundle: b64(pki.caCertPem), token: b64('s3cret\n') });
  const client = members.get('m1');
  const ready = await client.get('/readyz');
  assert.equal(ready.statusCode, 200);
  assert.equal(ready.body, 'ok');
  assert.equal((await client.get('/healthz')).statusCode, 404, 'any status resolves');
  assert.deepEqual(seen.slice(-2).map((s) => [s.path, s.authorization]), [
    ['/clusters/m1/readyz', 'Bearer s3cret'],
    ['/clusters/m1/healthz', 'Bearer s3cret'],
  ]);
  // The typed clients go to the same place.
  await assert.rejects(client.core.listNamespace(), (err: { code?: number }) => err.code === 404);
  assert.equal(seen.at(-1)!.path, '/clusters/m1/api/v1/namespaces');
  members.stop();
});

test('client certificates authenticate, and an unknown CA is refused unless verification is skipped', async () => {
  const { members, cluster, secret } = fixtures({ caBundle: b64(pki.caCertPem), 'tls.crt': b64(pki.adminCertPem), 'tls.key': b64(pki.adminKeyPem) });
  await members.get('m1').get('/readyz');
  assert.deepEqual([seen.at(-1)!.clientCert, seen.at(-1)!.authorization], [true, undefined]);

  secret.data = { token: b64('t') };
  secret.metadata!.resourceVersion = '2';
  await assert.rejects(members.get('m1').get('/readyz'), /self-signed|unable to verify|certificate/i);
  cluster.spec.insecureSkipTLSVerification = true;
  assert.equal((await members.get('m1').get('/readyz')).statusCode, 200);
  members.stop();
});

test('clients are cached until the endpoint or the Secret changes', () => {
  const { members, cluster, secret } = fixtures({ caBundle: b64(pki.caCertPem), token: b64('t') });
  const first = members.get('m1');
  cluster.status = { kubernetesVersion: 'v1' };
  cluster.metadata!.resourceVersion = '7';
  assert.equal(members.get('m1'), first, 'a status write does not rebuild the client');
  secret.metadata!.resourceVersion = '2';
  const second = members.get('m1');
  assert.notEqual(second, first, 'new credentials rebuild it');
  cluster.spec.apiEndpoint = endpoint.replace('/m1', '/other');
  assert.notEqual(members.get('m1'), second, 'a new endpoint rebuilds it');
  members.forget('m1');
  members.stop();
});

test('a cluster without an endpoint, a Secret or credentials in it has no client', () => {
  const { members, clusters, secrets, cluster } = fixtures({ caBundle: b64(pki.caCertPem) });
  assert.throws(() => members.get('m1'), (err) => err instanceof MemberClientError && /neither a token nor tls.crt/.test(err.message));
  secrets.objects.length = 0;
  assert.throws(() => members.get('m1'), /secret karmada-cluster\/m1 of cluster m1 not found/);
  delete cluster.spec.apiEndpoint;
  assert.throws(() => members.get('m1'), /the api endpoint of cluster m1 is empty/);
  clusters.objects.length = 0;
  assert.throws(() => members.get('m1'), /cluster m1 not found/);
});

test('before the Cluster and Secret caches have synced, a missing Secret is a transient error, not a MemberClientError', () => {
  const { members, secrets } = fixtures({ caBundle: b64(pki.caCertPem), token: b64('t') });
  // A restarted controller-manager: the Clusters are listed, the Secrets not yet.
  secrets.listed = false;
  const saved = secrets.objects.splice(0);
  assert.throws(
    () => members.get('m1'),
    (err) => !(err instanceof MemberClientError) && /caches have not synced/.test((err as Error).message),
  );
  secrets.objects.push(...saved);
  secrets.listed = true;
  assert.equal(members.get('m1').cluster, 'm1');
  members.stop();
});

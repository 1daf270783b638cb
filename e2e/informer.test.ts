// @kubernetes/client-node informers (ListWatch) against a real apiserver process: add/update/delete, surviving an
// apiserver restart, and relisting after a 410.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { APIServerProcess } from './harness.js';

let server: APIServerProcess;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  server = await APIServerProcess.start();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
});
after(async () => {
  await server.destroy();
});

const events: string[] = [];

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cm(name: string, data: Record<string, string> = {}): k8s.V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

test('an informer sees add, update and delete, survives a restart and relists after 410', async () => {
  const namespace = 'informer';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: cm('before') });

  let errors = 0;
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace }));
  informer.on('add', (o) => events.push(`add ${o.metadata!.name}`));
  informer.on('update', (o) => events.push(`update ${o.metadata!.name} ${JSON.stringify(o.data)}`));
  informer.on('delete', (o) => events.push(`delete ${o.metadata!.name}`));
  let restarting = true;
  informer.on('error', () => {
    errors++;
    // The documented client-node pattern: restart the informer after an error.
    if (restarting) setTimeout(() => void informer.start().catch(() => undefined), 200);
  });
  await informer.start();
  try {
    await until('initial list', () => events.includes('add before'));

    await core.createNamespacedConfigMap({ namespace, body: cm('a', { v: '1' }) });
    await until('add', () => events.includes('add a'));
    await core.replaceNamespacedConfigMap({ name: 'a', namespace, body: { ...(await core.readNamespacedConfigMap({ name: 'a', namespace })), data: { v: '2' } } });
    await until('update', () => events.includes('update a {"v":"2"}'));
    await core.deleteNamespacedConfigMap({ name: 'a', namespace });
    await until('delete', () => events.includes('delete a'));

    // Restart the apiserver under the running informer: it errors, restarts and keeps receiving events.
    await server.stop();
    await server.start();
    await core.createNamespacedConfigMap({ namespace, body: cm('after-restart') });
    await until('add after restart', () => events.includes('add after-restart'), 30_000);
    assert.ok(errors >= 1, 'the informer saw the connection drop');

    // Stop the informer, change things, and restart the apiserver so its watch history no longer reaches the
    // informer's resourceVersion: its watch gets 410 Expired and it relists, seeing both changes.
    restarting = false;
    await informer.stop();
    const staleRV = (informer as unknown as k8s.ListWatch<k8s.V1ConfigMap>).latestResourceVersion();
    await core.createNamespacedConfigMap({ namespace, body: cm('while-away') });
    await core.deleteNamespacedConfigMap({ name: 'before', namespace });
    await server.stop();
    await server.start();
    const raw = await server.request('GET', `/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=${staleRV}&timeoutSeconds=5`);
    const first = JSON.parse(raw.body.split('\n')[0]);
    assert.equal(first.type, 'ERROR');
    assert.equal(first.object.code, 410);
    assert.equal(first.object.reason, 'Expired');
    restarting = true;
    await informer.start();
    await until('relist after 410', () => events.includes('add while-away') && events.includes('delete before'), 30_000);
    assert.deepEqual(
      informer.list(namespace).map((o) => o.metadata!.name).sort(),
      ['after-restart', 'while-away'],
    );
  } finally {
    restarting = false;
    await informer.stop();
  }
});

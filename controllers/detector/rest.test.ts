import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { metadataOnly } from './rest.js';

test('the metadata kubeconfig asks lists for PartialObjectMetadataList and watches for PartialObjectMetadata', async () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const meta = metadataOnly(kc);

  // As listPath sends a list request.
  const list: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await meta.applyToHTTPSOptions(list);
  assert.equal((list.headers as Record<string, string>).accept, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
  assert.equal((list.headers as Record<string, string>).Authorization, 'Bearer secret', 'credentials still applied');

  // As client-node's Watch prepares a watch request.
  const watch = await meta.applyToFetchOptions({});
  const headers = watch.headers as unknown as { get(name: string): string | null };
  assert.equal(headers.get('accept'), 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
  assert.equal(headers.get('authorization'), 'Bearer secret');

  // The kubeconfig it wraps is unchanged.
  const plain: RequestOptions = { headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(plain);
  assert.equal((plain.headers as Record<string, string>).accept, 'application/json');
});

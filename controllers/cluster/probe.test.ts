import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemberClient, RawResponse } from '../runtime/memberclient.js';
import { apiEnablements, kubernetesVersion, probeHealth } from './probe.js';

/** A member answering GETs from a table of path → response (or an error to throw); anything else is 404. */
function member(routes: Record<string, Partial<RawResponse> | Error>): MemberClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get: async (path: string) => {
      asked.push(path);
      const r = routes[path];
      if (r instanceof Error) throw r;
      return { statusCode: 404, headers: {}, body: '', ...r };
    },
  } as unknown as MemberClient & { asked: string[] };
}

test('health: /readyz, falling back to /healthz only where /readyz is not served', async () => {
  assert.deepEqual(await probeHealth(member({ '/readyz': { statusCode: 200 } })), { online: true, healthy: true });
  const old = member({ '/healthz': { statusCode: 200 } });
  assert.deepEqual(await probeHealth(old), { online: true, healthy: true });
  assert.deepEqual(old.asked, ['/readyz', '/healthz']);
  // Like client-go, an error status is no answer at all: the member is unreachable, not merely unhealthy.
  const down = member({ '/readyz': { statusCode: 503 }, '/healthz': { statusCode: 200 } });
  assert.deepEqual(await probeHealth(down), { online: false, healthy: false });
  assert.deepEqual(down.asked, ['/readyz']);
  assert.deepEqual(await probeHealth(member({ '/readyz': new Error('ECONNREFUSED') })), { online: false, healthy: false });
  assert.deepEqual(await probeHealth(member({ '/readyz': { statusCode: 202 } })), { online: true, healthy: false });
});

test('version: gitVersion, or empty when it cannot be read', async () => {
  assert.equal(await kubernetesVersion(member({ '/version': { statusCode: 200, body: '{"gitVersion":"v1.31.2"}' } })), 'v1.31.2');
  assert.equal(await kubernetesVersion(member({ '/version': { statusCode: 500 } })), '');
  assert.equal(await kubernetesVersion(member({ '/version': { statusCode: 200, body: 'nope' } })), '');
});

const aggregated = (items: unknown[]) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
  body: JSON.stringify({ kind: 'APIGroupDiscoveryList', items }),
});

test('API enablements from aggregated discovery: sorted, subresources left out, stale versions incomplete', async () => {
  const res = await apiEnablements(
    member({
      '/api': aggregated([{ metadata: {}, versions: [{ version: 'v1', resources: [{ resource: 'pods', responseKind: { kind: 'Pod' } }, { resource: 'configmaps', responseKind: { kind: 'ConfigMap' } }] }] }]),
      '/apis': aggregated([
        { metadata: { name: 'apps' }, versions: [{ version: 'v1', resources: [{ resource: 'deployments', responseKind: { kind: 'Deployment' }, subresources: [{ subresource: 'scale' }] }] }] },
        { metadata: { name: 'metrics.k8s.io' }, versions: [{ version: 'v1beta1', freshness: 'Stale', resources: [] }] },
        { metadata: { name: 'empty.io' }, versions: [{ version: 'v1', resources: [] }] },
      ]),
    }),
  );
  assert.deepEqual(res, {
    complete: false,
    enablements: [
      { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] },
      { groupVersion: 'empty.io/v1' },
      { groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap' }, { name: 'pods', kind: 'Pod' }] },
    ],
  });
});

test('API enablements group version by group version where aggregated discovery is not offered', async () => {
  const json = (body: unknown) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const m = member({
    '/api': json({ versions: ['v1'] }),
    '/apis': json({ groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1' }] }, { name: 'broken.io', versions: [{ groupVersion: 'broken.io/v1' }] }] }),
    '/api/v1': json({ groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod' }, { name: 'pods/log', kind: 'Pod' }] }),
    '/apis/apps/v1': json({ groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] }),
    '/apis/broken.io/v1': { statusCode: 503 },
  });
  assert.deepEqual(await apiEnablements(m), {
    complete: false,
    enablements: [
      { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] },
      { groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod' }] },
    ],
  });
});

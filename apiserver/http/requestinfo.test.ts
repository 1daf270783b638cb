import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath, type RequestInfo } from './requestinfo.js';

/** The parsed info without keys that hold undefined, so tables can omit them. */
function parsed(path: string): Partial<RequestInfo> | undefined {
  const info = parseResourcePath(path);
  if (!info) return undefined;
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as Partial<RequestInfo>;
}

const core = (rest: Partial<RequestInfo> = {}): Partial<RequestInfo> => ({ group: '', version: 'v1', watchPath: false, ...rest });
const apps = (rest: Partial<RequestInfo> = {}): Partial<RequestInfo> => ({ group: 'apps', version: 'v1', watchPath: false, ...rest });

test('parseResourcePath: core and group paths, namespaced and cluster-scoped', () => {
  const cases: [string, Partial<RequestInfo> | undefined][] = [
    // Group and version roots carry no resource (served as discovery).
    ['/api/v1', core()],
    ['/apis/apps/v1', apps()],
    ['/apis/example.io/v1beta1', { group: 'example.io', version: 'v1beta1', watchPath: false }],
    // Collections and objects.
    ['/api/v1/pods', core({ resource: 'pods' })],
    ['/api/v1/namespaces/default/pods', core({ namespace: 'default', resource: 'pods' })],
    ['/api/v1/namespaces/default/pods/p1', core({ namespace: 'default', resource: 'pods', name: 'p1' })],
    ['/api/v1/namespaces/default/pods/p1/status', core({ namespace: 'default', resource: 'pods', name: 'p1', subresource: 'status' })],
    ['/api/v1/namespaces/default/pods/p1/log', core({ namespace: 'default', resource: 'pods', name: 'p1', subresource: 'log' })],
    ['/apis/apps/v1/deployments', apps({ resource: 'deployments' })],
    ['/apis/apps/v1/namespaces/ns/deployments', apps({ namespace: 'ns', resource: 'deployments' })],
    ['/apis/apps/v1/namespaces/ns/deployments/d', apps({ namespace: 'ns', resource: 'deployments', name: 'd' })],
    ['/apis/apps/v1/namespaces/ns/deployments/d/scale', apps({ namespace: 'ns', resource: 'deployments', name: 'd', subresource: 'scale' })],
    ['/api/v1/nodes', core({ resource: 'nodes' })],
    ['/api/v1/nodes/n1', core({ resource: 'nodes', name: 'n1' })],
    ['/api/v1/nodes/n1/status', core({ resource: 'nodes', name: 'n1', subresource: 'status' })],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node', { group: 'rbac.authorization.k8s.io', version: 'v1', watchPath: false, resource: 'clusterroles', name: 'system:node' }],
    // A trailing slash is ignored; segments are percent-decoded.
    ['/api/v1/pods/', core({ resource: 'pods' })],
    ['/api/v1/namespaces/default/configmaps/a%3Ab', core({ namespace: 'default', resource: 'configmaps', name: 'a:b' })],
  ];
  for (const [path, want] of cases) assert.deepEqual(parsed(path), want, path);
});

test('parseResourcePath: the namespaces resource and its subresources', () => {
  const cases: [string, Partial<RequestInfo> | undefined][] = [
    ['/api/v1/namespaces', core({ resource: 'namespaces' })],
    ['/api/v1/namespaces/', core({ resource: 'namespaces' })],
    ['/api/v1/namespaces/ns1', core({ resource: 'namespaces', name: 'ns1' })],
    ['/api/v1/namespaces/ns1/status', core({ resource: 'namespaces', name: 'ns1', subresource: 'status' })],
    ['/api/v1/namespaces/ns1/finalize', core({ resource: 'namespaces', name: 'ns1', subresource: 'finalize' })],
    // Any other step after the namespace name is a resource inside it.
    ['/api/v1/namespaces/ns1/configmaps', core({ namespace: 'ns1', resource: 'configmaps' })],
    ['/api/v1/namespaces/ns1/configmaps/status', core({ namespace: 'ns1', resource: 'configmaps', name: 'status' })],
    ['/api/v1/namespaces/ns1/namespaces', core({ namespace: 'ns1', resource: 'namespaces' })],
  ];
  for (const [path, want] of cases) assert.deepEqual(parsed(path), want, path);
});

test('parseResourcePath: the legacy /watch/ prefix', () => {
  const cases: [string, Partial<RequestInfo> | undefined][] = [
    ['/api/v1/watch/pods', core({ watchPath: true, resource: 'pods' })],
    ['/api/v1/watch/namespaces/ns/pods', core({ watchPath: true, namespace: 'ns', resource: 'pods' })],
    ['/api/v1/watch/namespaces/ns/pods/p', core({ watchPath: true, namespace: 'ns', resource: 'pods', name: 'p' })],
    ['/api/v1/watch/namespaces', core({ watchPath: true, resource: 'namespaces' })],
    ['/api/v1/watch/namespaces/ns1', core({ watchPath: true, resource: 'namespaces', name: 'ns1' })],
    ['/apis/apps/v1/watch/namespaces/ns/deployments', apps({ watchPath: true, namespace: 'ns', resource: 'deployments' })],
    // "watch" elsewhere is an ordinary name.
    ['/api/v1/namespaces/ns/pods/watch', core({ namespace: 'ns', resource: 'pods', name: 'watch' })],
  ];
  for (const [path, want] of cases) assert.deepEqual(parsed(path), want, path);
});

test('parseResourcePath: non-resource and too-long paths are undefined', () => {
  const cases = [
    '/',
    '',
    '/api',
    '/api/',
    '/apis',
    '/apis/apps',
    '/apis/apps/',
    '/healthz',
    '/openapi/v2',
    '/version',
    '/apiv1/pods',
    '/api/v1/pods/p/status/extra',
    '/api/v1/namespaces/ns/pods/p/log/extra',
    '/apis/apps/v1/namespaces/ns/deployments/d/scale/x',
    '/api/v1/watch/namespaces/ns/pods/p/status/x',
  ];
  for (const path of cases) assert.equal(parseResourcePath(path), undefined, path);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceDefinitionHooks } from './crddefaults.js';

test('a CRD spec gets kube defaults: singular, list kind, conversion None, webhook port 443', () => {
  const crd = { spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, scope: 'Namespaced', versions: [] } };
  customResourceDefinitionHooks.normalize!(crd);
  assert.deepEqual(crd.spec, { group: 'example.com', names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' }, scope: 'Namespaced', versions: [], conversion: { strategy: 'None' } });

  const webhook = { spec: { names: { plural: 'gizmos', kind: 'Gizmo', singular: 'gizmo', listKind: 'Gizmos' },
    conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', namespace: 'ns' } }, conversionReviewVersions: ['v1'] } } } };
  customResourceDefinitionHooks.normalize!(webhook);
  assert.deepEqual(webhook.spec.names, { plural: 'gizmos', kind: 'Gizmo', singular: 'gizmo', listKind: 'Gizmos' }, 'given names stay');
  assert.deepEqual(webhook.spec.conversion.webhook.clientConfig.service, { name: 'conv', namespace: 'ns', port: 443 });
});

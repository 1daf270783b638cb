import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../registry/builtin.js';
import { calculateNames, claimedNames, requestedNames, setCondition } from './naming.js';
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from './types.js';

const crd = (name: string, names: CustomResourceDefinitionNames, group = 'example.com', accepted?: CustomResourceDefinitionNames): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: { group, names, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
  ...(accepted ? { status: { acceptedNames: accepted } } : {}),
});

const widgets = crd('widgets.example.com', { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] }, 'example.com',
  { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList' });

test('requested names get kube defaults, in kube field order', () => {
  const names = requestedNames(crd('gadgets.example.com', { plural: 'gadgets', kind: 'Gadget', categories: ['all'] }));
  assert.deepEqual(names, { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList', categories: ['all'] });
  assert.deepEqual(Object.keys(names), ['plural', 'singular', 'kind', 'listKind', 'categories']);
});

test('fresh names are accepted and the CRD becomes Established', () => {
  const gadgets = crd('gadgets.example.com', { plural: 'gadgets', kind: 'Gadget' });
  const r = calculateNames(gadgets, claimedNames('example.com', [widgets, gadgets], BUILTIN_RESOURCES));
  assert.deepEqual(r.acceptedNames, { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' });
  assert.deepEqual(r.namesAccepted, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  assert.deepEqual(r.established, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
});

test('names held by another CRD of the group conflict; other groups do not count', () => {
  const claimed = claimedNames('example.com', [widgets], BUILTIN_RESOURCES);
  const plural = calculateNames(crd('widgets2.example.com', { plural: 'widgets', kind: 'Widget2' }), claimed);
  assert.deepEqual(plural.namesAccepted, { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"widgets" is already in use' });
  assert.deepEqual(plural.established, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
  assert.equal(plural.acceptedNames.plural, '', 'the conflicting name is not granted');
  assert.equal(plural.acceptedNames.kind, 'Widget2', 'the others are');

  const kind = calculateNames(crd('things.example.com', { plural: 'things', kind: 'Widget', listKind: 'ThingList' }), claimed);
  assert.deepEqual([kind.namesAccepted.reason, kind.namesAccepted.message], ['KindConflict', '"Widget" is already in use']);
  const short = calculateNames(crd('things.example.com', { plural: 'things', kind: 'Thing', shortNames: ['wd', 'widget'] }), claimed);
  assert.deepEqual([short.namesAccepted.reason, short.namesAccepted.message], ['ShortNamesConflict', '["wd" is already in use, "widget" is already in use]']);

  const elsewhere = calculateNames(crd('widgets.other.io', { plural: 'widgets', kind: 'Widget' }, 'other.io'), claimedNames('other.io', [widgets], BUILTIN_RESOURCES));
  assert.equal(elsewhere.namesAccepted.status, 'True');
});

test('names of built-in resources in the same group are taken', () => {
  const r = calculateNames(crd('deployments.apps', { plural: 'deployments', kind: 'MyDeployment' }, 'apps'), claimedNames('apps', [], BUILTIN_RESOURCES));
  assert.deepEqual([r.namesAccepted.reason, r.namesAccepted.message], ['PluralConflict', '"deployments" is already in use']);
  const list = calculateNames(crd('things.apps', { plural: 'things', kind: 'Thing', listKind: 'DeploymentList' }, 'apps'), claimedNames('apps', [], BUILTIN_RESOURCES));
  assert.equal(list.namesAccepted.reason, 'ListKindConflict');
});

test('a CRD keeps its accepted names and stays Established when a later change conflicts', () => {
  const established = { ...widgets, spec: { ...widgets.spec, names: { plural: 'widgets', kind: 'Gadget' } } } as CustomResourceDefinition;
  established.status = { ...widgets.status, conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }] };
  const gadgets = crd('gadgets.example.com', { plural: 'gadgets', kind: 'Gadget' }, 'example.com', { plural: 'gadgets', kind: 'Gadget' });
  const r = calculateNames(established, claimedNames('example.com', [established, gadgets], BUILTIN_RESOURCES));
  assert.equal(r.namesAccepted.reason, 'KindConflict');
  assert.equal(r.acceptedNames.kind, 'Widget');
  assert.equal(r.established.status, 'True');
});

test('setCondition moves lastTransitionTime only when the status changes', () => {
  const c = crd('a.example.com', { plural: 'as', kind: 'A' });
  setCondition(c, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'x' });
  c.status!.conditions![0].lastTransitionTime = '2020-01-01T00:00:00Z';
  setCondition(c, { type: 'Established', status: 'False', reason: 'Other', message: 'y' });
  assert.deepEqual(c.status!.conditions, [{ type: 'Established', status: 'False', lastTransitionTime: '2020-01-01T00:00:00Z', reason: 'Other', message: 'y' }]);
  setCondition(c, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'z' });
  assert.notEqual(c.status!.conditions![0].lastTransitionTime, '2020-01-01T00:00:00Z');
  setCondition(c, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  assert.deepEqual(c.status!.conditions!.map((x) => x.type), ['Established', 'NamesAccepted']);
});

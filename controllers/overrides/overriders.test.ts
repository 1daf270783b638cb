import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Overriders, PlaintextOverrider } from '../../openapi/karmada/types.js';
import type { Obj } from './jsonpatch.js';
import { applyOverriders, applyPlaintextOverriders } from './overriders.js';

const deployment = (): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', args: ['--a'] }] } } },
});

test('plaintext applies add, remove and replace as one JSON patch', () => {
  const cases: [string, PlaintextOverrider[], (d: Obj) => void][] = [
    ['replace', [{ operator: 'replace', path: '/spec/replicas', value: 5 }], (d) => (d.spec.replicas = 5)],
    ['add', [{ operator: 'add', path: '/metadata/annotations', value: { a: 'b' } }], (d) => (d.metadata.annotations = { a: 'b' })],
    ['remove', [{ operator: 'remove', path: '/metadata/labels/app' }], (d) => (d.metadata.labels = {})],
    [
      'in order: a later operation sees an earlier one',
      [
        { operator: 'add', path: '/metadata/annotations', value: {} },
        { operator: 'add', path: '/metadata/annotations/x', value: 'y' },
      ],
      (d) => (d.metadata.annotations = { x: 'y' }),
    ],
    ['nothing', [], () => {}],
  ];
  for (const [name, ops, edit] of cases) {
    const want = deployment();
    edit(want);
    assert.deepEqual(applyPlaintextOverriders(deployment(), ops), want, name);
  }
  // All or nothing: the replace before the failing remove does not survive.
  const input = deployment();
  assert.throws(
    () => applyPlaintextOverriders(input, [{ operator: 'replace', path: '/spec/replicas', value: 1 }, { operator: 'remove', path: '/spec/missing' }]),
    /remove "\/spec\/missing"/,
  );
  assert.deepEqual(input, deployment());
});

test('overriders apply in Karmada order: image, command, args, labels, annotations, field, plaintext', () => {
  const cases: [string, Overriders, (d: Obj) => void][] = [
    [
      'plaintext comes after the image overrider',
      {
        plaintext: [{ operator: 'replace', path: '/spec/template/spec/containers/0/image', value: 'busybox:1' }],
        imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2' }],
      },
      (d) => (d.spec.template.spec.containers[0].image = 'busybox:1'),
    ],
    [
      'labels come before plaintext, which can remove what they added',
      { plaintext: [{ operator: 'remove', path: '/metadata/labels/tier' }], labelsOverrider: [{ operator: 'add', value: { tier: 'web' } }] },
      () => {},
    ],
    [
      'annotations come before the field overrider, which can patch what they added',
      {
        fieldOverrider: [{ fieldPath: '/metadata/annotations/cfg', json: [{ operator: 'add', subPath: '/b', value: 2 }] }],
        annotationsOverrider: [{ operator: 'add', value: { cfg: '{"a":1}' } }],
      },
      (d) => (d.metadata.annotations = { cfg: '{"a":1,"b":2}' }),
    ],
    [
      'command before args, each list in its order',
      {
        argsOverrider: [
          { containerName: 'web', operator: 'add', value: ['--b'] },
          { containerName: 'web', operator: 'remove', value: ['--a'] },
        ],
        commandOverrider: [{ containerName: 'web', operator: 'add', value: ['serve'] }],
      },
      (d) => Object.assign(d.spec.template.spec.containers[0], { command: ['serve'], args: ['--b'] }),
    ],
  ];
  for (const [name, overriders, edit] of cases) {
    const want = deployment();
    edit(want);
    const input = deployment();
    assert.deepEqual(applyOverriders(input, overriders), want, name);
    assert.deepEqual(input, deployment(), `${name}: the input is left alone`);
  }
});

test('the first failing overrider fails them all', () => {
  assert.throws(
    () => applyOverriders(deployment(), { imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2', predicate: { path: '/nope' } }], plaintext: [] }),
    /predicate path\(\/nope\)/,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crdFacts, schemaFacts } from './facts.js';

const published = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.io', annotations: { 'controller-gen.kubebuilder.io/version': 'v0.18.0' } },
  spec: {
    group: 'example.io',
    names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'READY', type: 'string', jsonPath: '.status.ready', description: 'prose' }],
        schema: {
          openAPIV3Schema: {
            description: 'A widget.',
            type: 'object',
            required: ['spec'],
            properties: {
              spec: {
                description: 'The spec.',
                type: 'object',
                properties: {
                  // A field that happens to be called "description" is data, not prose.
                  description: { type: 'string', description: 'What the widget is.', maxLength: 10 },
                  size: { anyOf: [{ type: 'integer' }, { type: 'string', description: 'x' }], 'x-kubernetes-int-or-string': true },
                  tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'], description: 'A tag.' } },
                  extra: { type: 'object', default: { description: 'kept' }, additionalProperties: { type: 'string', description: 'y' } },
                  rule: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != ""', message: 'not empty' }] },
                },
              },
            },
          },
        },
      },
    ],
  },
  status: { storedVersions: [] },
};

test('crdFacts keeps what the apiserver serves and drops every description', () => {
  const facts = crdFacts(structuredClone(published));
  assert.deepEqual(facts, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.io' },
    spec: {
      group: 'example.io',
      names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'] },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'READY', type: 'string', jsonPath: '.status.ready' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    description: { type: 'string', maxLength: 10 },
                    size: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
                    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
                    extra: { type: 'object', default: { description: 'kept' }, additionalProperties: { type: 'string' } },
                    rule: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != ""', message: 'not empty' }] },
                  },
                },
              },
            },
          },
        },
      ],
    },
  });
});

test('an unknown schema keyword fails instead of being dropped', () => {
  assert.throws(() => schemaFacts({ type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } }), /unknown schema keyword "\$ref" at <root>\.a/);
});

test('crdFacts refuses what is not a v1 CRD', () => {
  assert.throws(() => crdFacts({ ...published, apiVersion: 'apiextensions.k8s.io/v1beta1' }), /not an apiextensions.k8s.io\/v1/);
});

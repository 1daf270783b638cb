import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from '../errors.js';
import { mediaType, negotiate, SUPPORTED_MEDIA_TYPES, type NegotiateOptions, type Representation } from './negotiation.js';

// Accept headers as kubectl and client-go send them.
const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const KUBECTL_GET_PROTOBUF =
  'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const AGGREGATED_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const AGGREGATED_DISCOVERY_PROTOBUF =
  'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json;q=0.9,application/vnd.kubernetes.protobuf;q=0.8';
const CLIENT_GO_METADATA = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const CLIENT_GO_DEFAULT = 'application/json, */*';

const RESOURCE: NegotiateOptions = { transforms: true, discovery: false, yaml: true };
const WATCH: NegotiateOptions = { transforms: true, discovery: false, yaml: false };
const DISCOVERY_ROOT: NegotiateOptions = { transforms: false, discovery: true, yaml: true };
const PLAIN: NegotiateOptions = { transforms: false, discovery: false, yaml: true };

const JSON_OBJECT: Representation = { kind: 'object', format: 'json' };
const YAML_OBJECT: Representation = { kind: 'object', format: 'yaml' };

test('negotiate: kubectl and client-go Accept headers', () => {
  const cases: [string, string | undefined, NegotiateOptions, Representation][] = [
    ['no header', undefined, RESOURCE, JSON_OBJECT],
    ['empty header', '', RESOURCE, JSON_OBJECT],
    ['kubectl get', KUBECTL_GET, RESOURCE, { kind: 'table', version: 'v1' }],
    ['kubectl get, watch', KUBECTL_GET, WATCH, { kind: 'table', version: 'v1' }],
    ['kubectl get where tables are not offered', KUBECTL_GET, PLAIN, JSON_OBJECT],
    ['kubectl get with protobuf first', KUBECTL_GET_PROTOBUF, RESOURCE, { kind: 'table', version: 'v1' }],
    ['v1beta1 table only', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', RESOURCE, { kind: 'table', version: 'v1beta1' }],
    ['aggregated discovery', AGGREGATED_DISCOVERY, DISCOVERY_ROOT, { kind: 'discovery', version: 'v2' }],
    ['aggregated discovery, protobuf preferred', AGGREGATED_DISCOVERY_PROTOBUF, DISCOVERY_ROOT, { kind: 'discovery', version: 'v2' }],
    [
      'aggregated discovery v2beta1 only',
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      DISCOVERY_ROOT,
      { kind: 'discovery', version: 'v2beta1' },
    ],
    ['aggregated discovery asked of a resource path', AGGREGATED_DISCOVERY, RESOURCE, JSON_OBJECT],
    ['unknown discovery version', 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json', DISCOVERY_ROOT, JSON_OBJECT],
    ['client-go metadata informer', CLIENT_GO_METADATA, RESOURCE, { kind: 'partial', version: 'v1', list: true }],
    ['single PartialObjectMetadata', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1', RESOURCE, { kind: 'partial', version: 'v1', list: false }],
    ['client-go default', CLIENT_GO_DEFAULT, RESOURCE, JSON_OBJECT],
    ['kubectl -o yaml does not change Accept', 'application/json', RESOURCE, JSON_OBJECT],
  ];
  for (const [label, accept, opts, want] of cases) assert.deepEqual(negotiate(accept, opts), want, label);
});

test('negotiate: wildcards, YAML, parameters and whitespace', () => {
  const cases: [string, NegotiateOptions, Representation][] = [
    ['*/*', RESOURCE, JSON_OBJECT],
    ['application/*', RESOURCE, JSON_OBJECT],
    ['text/html, */*;q=0.8', RESOURCE, JSON_OBJECT],
    ['application/yaml', RESOURCE, YAML_OBJECT],
    ['application/yaml', DISCOVERY_ROOT, YAML_OBJECT],
    ['application/yaml, application/json', RESOURCE, YAML_OBJECT],
    ['application/yaml, application/json', WATCH, JSON_OBJECT],
    ['application/json; charset=utf-8', RESOURCE, JSON_OBJECT],
    ['application/json;pretty=1', RESOURCE, JSON_OBJECT],
    [' application/json ; as=Table ; v=v1 ; g=meta.k8s.io ', RESOURCE, { kind: 'table', version: 'v1' }],
    ['*/*;as=Table;v=v1;g=meta.k8s.io', RESOURCE, { kind: 'table', version: 'v1' }],
    // A conversion kube does not know falls through to the next clause.
    ['application/json;as=Table;v=v2;g=meta.k8s.io,application/json', RESOURCE, JSON_OBJECT],
    ['application/json;as=Table;v=v1;g=example.io,application/yaml', RESOURCE, YAML_OBJECT],
    ['application/json;as=Pod;v=v1;g=meta.k8s.io,application/json', RESOURCE, JSON_OBJECT],
  ];
  for (const [accept, opts, want] of cases) assert.deepEqual(negotiate(accept, opts), want, `${accept} ${JSON.stringify(opts)}`);
});

test('negotiate: q-values order the clauses, stable within one q', () => {
  const cases: [string, NegotiateOptions, Representation][] = [
    ['application/yaml;q=0.5,application/json;q=0.9', RESOURCE, JSON_OBJECT],
    ['application/json;q=0.1, application/yaml', RESOURCE, YAML_OBJECT],
    ['application/json;q=0.1, application/yaml', WATCH, JSON_OBJECT],
    ['application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json;q=0.9', RESOURCE, JSON_OBJECT],
    ['application/json;q=0.5,application/json;as=Table;v=v1beta1;g=meta.k8s.io;q=0.6', RESOURCE, { kind: 'table', version: 'v1beta1' }],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io', RESOURCE, { kind: 'table', version: 'v1beta1' }],
    ['application/yaml;q=1.0,application/json;q=1', RESOURCE, YAML_OBJECT],
  ];
  for (const [accept, opts, want] of cases) assert.deepEqual(negotiate(accept, opts), want, `${accept} ${JSON.stringify(opts)}`);
});

test('negotiate: nothing acceptable is a 406 NotAcceptable APIError', () => {
  const cases: [string, NegotiateOptions][] = [
    ['application/vnd.kubernetes.protobuf', RESOURCE],
    ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io', RESOURCE],
    ['application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', DISCOVERY_ROOT],
    ['text/html', RESOURCE],
    ['text/*', RESOURCE],
    ['application/yaml', WATCH],
    ['application/json;as=Table;v=v1;g=meta.k8s.io', PLAIN],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', RESOURCE],
    [',', RESOURCE],
  ];
  for (const [accept, opts] of cases) {
    assert.throws(
      () => negotiate(accept, opts),
      (err: unknown) => {
        assert.ok(err instanceof APIError, accept);
        assert.equal(err.code, 406, accept);
        assert.equal(err.reason, 'NotAcceptable', accept);
        assert.equal(err.message, 'only the following media types are accepted: application/json, application/yaml', accept);
        return true;
      },
      accept,
    );
  }
  assert.deepEqual(SUPPORTED_MEDIA_TYPES, ['application/json', 'application/yaml']);
});

test('negotiate orders clauses of equal q by specificity like goautoneg', () => {
  assert.deepEqual(negotiate('*/*, application/yaml', RESOURCE), YAML_OBJECT);
  assert.deepEqual(negotiate('application/*, application/json;as=Table;v=v1;g=meta.k8s.io', RESOURCE), { kind: 'table', version: 'v1' });
});

test('mediaType drops parameters and lower-cases', () => {
  const cases: [string | undefined, string][] = [
    [undefined, ''],
    ['', ''],
    ['application/json', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['Application/Merge-Patch+JSON', 'application/merge-patch+json'],
    ['application/apply-patch+yaml;charset=utf-8', 'application/apply-patch+yaml'],
    [' application/strategic-merge-patch+json ', 'application/strategic-merge-patch+json'],
  ];
  for (const [ct, want] of cases) assert.equal(mediaType(ct), want, String(ct));
});

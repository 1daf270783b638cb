import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageOverrider } from '../../openapi/karmada/types.js';
import { applyImageOverrider, formatImage, overrideImage, parseImage, type ImageComponents } from './image.js';
import type { Obj } from './jsonpatch.js';

const DIGEST = 'sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c';

test('parseImage cuts references as Karmada imageparser does', () => {
  const cases: [string, ImageComponents | RegExp][] = [
    ['nginx', { hostname: '', repository: 'nginx', tag: '', digest: '' }],
    ['nginx:1.25', { hostname: '', repository: 'nginx', tag: '1.25', digest: '' }],
    ['library/nginx:1.25', { hostname: '', repository: 'library/nginx', tag: '1.25', digest: '' }],
    ['registry.k8s.io/kube-apiserver:v1.30.0', { hostname: 'registry.k8s.io', repository: 'kube-apiserver', tag: 'v1.30.0', digest: '' }],
    ['localhost/app', { hostname: 'localhost', repository: 'app', tag: '', digest: '' }],
    ['localhost:5000/team/app:dev', { hostname: 'localhost:5000', repository: 'team/app', tag: 'dev', digest: '' }],
    [`fictional.registry.example:10443/karmada/cm@${DIGEST}`, { hostname: 'fictional.registry.example:10443', repository: 'karmada/cm', tag: '', digest: DIGEST }],
    // Both a tag and a digest: Karmada keeps the tag only.
    [`nginx:1.25@${DIGEST}`, { hostname: '', repository: 'nginx', tag: '1.25', digest: '' }],
    ['', /at least one component/],
    ['NGINX', /must be lowercase/],
    ['nginx:', /invalid reference format/],
    ['nginx@sha256:abc', /invalid reference format/],
    [`nginx@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
    [`${'a'.repeat(256)}`, /not be more than 255/],
  ];
  for (const [image, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => parseImage(image), want, image);
    else assert.deepEqual(parseImage(image), want, image);
  }
});

test('formatImage puts the components back together', () => {
  for (const image of ['nginx', 'nginx:1.25', 'localhost:5000/team/app:dev', `registry.k8s.io/pause@${DIGEST}`])
    assert.equal(formatImage(parseImage(image)), image);
});

test('overrideImage adds, removes and replaces each component', () => {
  const cases: [string, ImageOverrider, string][] = [
    ['nginx:1.25', { component: 'Registry', operator: 'add', value: 'registry.example.com' }, 'registry.example.com/nginx:1.25'],
    ['docker.io/nginx:1.25', { component: 'Registry', operator: 'add', value: '.cn' }, 'docker.io.cn/nginx:1.25'],
    ['docker.io/nginx:1.25', { component: 'Registry', operator: 'replace', value: 'mirror.local:5000' }, 'mirror.local:5000/nginx:1.25'],
    ['docker.io/nginx:1.25', { component: 'Registry', operator: 'remove' }, 'nginx:1.25'],
    ['docker.io/library/nginx', { component: 'Repository', operator: 'add', value: '-mirror' }, 'docker.io/library/nginx-mirror'],
    ['docker.io/library/nginx:1', { component: 'Repository', operator: 'replace', value: 'team/web' }, 'docker.io/team/web:1'],
    ['nginx:1.25', { component: 'Tag', operator: 'add', value: '-alpine' }, 'nginx:1.25-alpine'],
    ['nginx:1.25', { component: 'Tag', operator: 'replace', value: '1.26' }, 'nginx:1.26'],
    ['nginx:1.25', { component: 'Tag', operator: 'replace', value: DIGEST }, `nginx@${DIGEST}`],
    [`nginx@${DIGEST}`, { component: 'Tag', operator: 'replace', value: 'latest' }, 'nginx:latest'],
    // A value that is neither a tag nor a digest changes nothing.
    ['nginx:1.25', { component: 'Tag', operator: 'replace', value: 'not a tag' }, 'nginx:1.25'],
    ['nginx:1.25', { component: 'Tag', operator: 'remove' }, 'nginx'],
    [`nginx@${DIGEST}`, { component: 'Tag', operator: 'remove' }, 'nginx'],
  ];
  for (const [image, o, want] of cases) assert.equal(overrideImage(image, o), want, `${image} ${JSON.stringify(o)}`);
  assert.throws(() => overrideImage('Bad Image', { component: 'Tag', operator: 'remove' }), /failed to parse image value\(Bad Image\)/);
});

function deployment(containers: Obj[], initContainers?: Obj[]): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers, ...(initContainers && { initContainers }) } } } };
}

test('applyImageOverrider rewrites the images of every container and init container of a workload', () => {
  const add: ImageOverrider = { component: 'Registry', operator: 'replace', value: 'mirror.local' };
  const cases: [string, Obj, Obj][] = [
    [
      'Deployment containers and init containers',
      deployment([{ name: 'a', image: 'nginx:1' }, { name: 'b', image: 'docker.io/busybox' }], [{ name: 'init', image: 'alpine' }]),
      deployment([{ name: 'a', image: 'mirror.local/nginx:1' }, { name: 'b', image: 'mirror.local/busybox' }], [{ name: 'init', image: 'mirror.local/alpine' }]),
    ],
    [
      'Pod containers at /spec',
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'mirror.local/nginx' }] } },
    ],
    ...['ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'].map((kind): [string, Obj, Obj] => [
      kind,
      { ...deployment([{ name: 'a', image: 'nginx' }]), kind },
      { ...deployment([{ name: 'a', image: 'mirror.local/nginx' }]), kind },
    ]),
    [
      'kinds without a known pod spec are left alone',
      { apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } } } } },
      { apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } } } } },
    ],
  ];
  for (const [name, obj, want] of cases) {
    const before = structuredClone(obj);
    assert.deepEqual(applyImageOverrider(obj, add), want, name);
    assert.deepEqual(obj, before, `${name}: the input is left alone`);
  }
});

test('applyImageOverrider with a predicate rewrites the image at that path of any kind', () => {
  const cr = { apiVersion: 'example.io/v1', kind: 'App', spec: { components: [{ image: 'nginx:1' }, { image: 'redis:7' }] } };
  const o: ImageOverrider = { component: 'Tag', operator: 'replace', value: '2', predicate: { path: '/spec/components/1/image' } };
  assert.deepEqual(applyImageOverrider(cr, o).spec.components, [{ image: 'nginx:1' }, { image: 'redis:2' }]);
  assert.throws(() => applyImageOverrider(cr, { ...o, predicate: { path: '/spec/missing' } }), /failed to obtain imageValue with predicate path\(\/spec\/missing\)/);
  assert.throws(() => applyImageOverrider(cr, { ...o, predicate: { path: 'spec' } }), /should be start with \//);
  assert.throws(() => applyImageOverrider(deployment([{ name: 'a' }]), { component: 'Tag', operator: 'remove' }), /failed to parse image value\(\)/);
});

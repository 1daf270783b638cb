// Strategic merge patch against the real built-in schemas. Cases follow the directives of the Kubernetes SMP design
// document; expected results and error texts were confirmed against kube's own strategicpatch code (the one built
// into kubectl 1.33, run as `kubectl patch --local --type strategic`), including where it differs from the
// document's prose (new list items go first without $setElementOrder; sets keep patch order for their items).
// Two cases differ from that check by design: kube's struct lookup fails on a field its Go type lacks (a typed
// stored object never has one; here such fields merge as in a JSON merge patch), and kubectl decodes a non-object
// body differently from the apiserver, whose decoding error is the one expected here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '../../openapi/schemas.js';
import { strategicMergePatch, StrategicMergePatchError } from './strategicmerge.js';

const schemas = new SchemaRegistry();
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';
const SERVICE = 'io.k8s.api.core.v1.Service';
const PDB = 'io.k8s.api.policy.v1.PodDisruptionBudget';

type Obj = Record<string, any>;

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a', 'b', 'c'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.25',
              env: [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: 'false' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'infinity'] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'conf', configMap: { name: 'web' } }],
          tolerations: [{ key: 'spot', operator: 'Exists' }],
        },
      },
    },
  };
}

const podSpec = (o: Obj) => o.spec.template.spec;
const names = (list: Obj[]) => list.map((item) => item.name);
/** A patch of the Deployment's pod template spec. */
const templateSpec = (spec: Obj) => ({ spec: { template: { spec } } });

interface Case {
  name: string;
  schema?: string;
  original?: Obj;
  patch: unknown;
  /** Edits a copy of the original into the expected result. */
  want?: (o: Obj) => void;
  error?: { code: 400 | 422 | 500; message: string; panicked?: boolean };
}

const cases: Case[] = [
  // Maps.
  {
    name: 'maps merge recursively',
    patch: { metadata: { labels: { tier: 'frontend' } } },
    want: (o) => (o.metadata.labels.tier = 'frontend'),
  },
  {
    name: 'null deletes a key',
    patch: { metadata: { labels: { app: null } }, spec: { strategy: { rollingUpdate: null } } },
    want: (o) => {
      delete o.metadata.labels.app;
      delete o.spec.strategy.rollingUpdate;
    },
  },
  {
    name: 'null for a key the original lacks changes nothing',
    patch: { metadata: { annotations: null } },
    want: () => {},
  },
  {
    name: 'a new value is taken from the patch less its nulls and $patch maps',
    patch: { metadata: { annotations: { a: '1', b: null } }, ...templateSpec({ nodeSelector: { disk: 'ssd', gone: { $patch: 'delete' } } }) },
    want: (o) => {
      o.metadata.annotations = { a: '1' };
      podSpec(o).nodeSelector = { disk: 'ssd' };
    },
  },
  {
    name: '$patch: replace on a map takes the map as it stands',
    patch: templateSpec({ $patch: 'replace', containers: [{ name: 'only', image: 'x' }] }),
    want: (o) => (o.spec.template.spec = { containers: [{ name: 'only', image: 'x' }] }),
  },
  {
    name: '$patch: delete on a map leaves it empty',
    patch: { spec: { strategy: { rollingUpdate: { $patch: 'delete' } } } },
    want: (o) => (o.spec.strategy.rollingUpdate = {}),
  },
  {
    name: 'a map with patch strategy replace is replaced (PodDisruptionBudget selector)',
    schema: PDB,
    original: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } },
    },
    patch: { spec: { selector: { matchLabels: { app: 'api' } } } },
    want: (o) => (o.spec.selector = { matchLabels: { app: 'api' } }),
  },
  {
    name: '$retainKeys clears the keys it does not list (Deployment strategy)',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: (o) => (o.spec.strategy = { type: 'Recreate' }),
  },
  {
    name: '$retainKeys in a list element switches a volume source',
    patch: templateSpec({ volumes: [{ name: 'conf', $retainKeys: ['name', 'secret'], secret: { secretName: 'web' } }] }),
    want: (o) => (podSpec(o).volumes[1] = { name: 'conf', secret: { secretName: 'web' } }),
  },
  {
    name: 'fields the schema does not describe merge as maps and replace as lists',
    original: { ...deployment(), extra: { kept: 1, list: [1, 2], nested: { a: 1 } } },
    patch: { extra: { added: 2, list: [3], nested: { b: 2 } } },
    want: (o) => (o.extra = { kept: 1, list: [3], nested: { a: 1, b: 2 }, added: 2 }),
  },

  // Lists of maps.
  {
    name: 'containers merge by name',
    patch: templateSpec({ containers: [{ name: 'sidecar', image: 'busybox:1.37' }] }),
    want: (o) => (podSpec(o).containers[1].image = 'busybox:1.37'),
  },
  {
    name: 'without $setElementOrder a new element goes before the live ones',
    patch: templateSpec({ containers: [{ name: 'cache', image: 'redis' }] }),
    want: (o) => podSpec(o).containers.unshift({ name: 'cache', image: 'redis' }),
  },
  {
    name: '$setElementOrder places a new element',
    patch: templateSpec({
      '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }, { name: 'cache' }],
      containers: [{ name: 'cache', image: 'redis' }],
    }),
    want: (o) => podSpec(o).containers.push({ name: 'cache', image: 'redis' }),
  },
  {
    name: '$setElementOrder alone reorders',
    patch: templateSpec({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] }),
    want: (o) => podSpec(o).containers.reverse(),
  },
  {
    name: '$patch: delete removes the element with that merge key',
    patch: templateSpec({ containers: [{ name: 'sidecar', $patch: 'delete' }] }),
    want: (o) => podSpec(o).containers.pop(),
  },
  {
    name: '$patch: replace in a list makes the other elements the list',
    patch: templateSpec({ containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] }),
    want: (o) => (podSpec(o).containers = [{ name: 'only', image: 'x' }]),
  },
  {
    name: 'env merges by name inside a container',
    patch: templateSpec({ containers: [{ name: 'nginx', env: [{ name: 'DEBUG', value: 'true' }, { name: 'LOG', value: 'info' }] }] }),
    want: (o) => (podSpec(o).containers[0].env = [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: 'true' }, { name: 'LOG', value: 'info' }]),
  },
  {
    name: 'ports merge by containerPort',
    patch: templateSpec({ containers: [{ name: 'nginx', ports: [{ containerPort: 80, name: 'http' }] }] }),
    want: (o) => (podSpec(o).containers[0].ports = [{ containerPort: 80, protocol: 'TCP', name: 'http' }]),
  },
  {
    name: 'Service ports merge by port',
    schema: SERVICE,
    original: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] },
    },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    want: (o) => (o.spec.ports[0].targetPort = 9090),
  },
  {
    name: 'a list without merge key is replaced (tolerations)',
    patch: templateSpec({ tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
    want: (o) => (podSpec(o).tolerations = [{ key: 'gpu', operator: 'Exists' }]),
  },
  {
    name: 'a primitive list without merge strategy is replaced (args)',
    patch: templateSpec({ containers: [{ name: 'sidecar', args: ['sh'] }] }),
    want: (o) => (podSpec(o).containers[1].args = ['sh']),
  },
  {
    name: 'design document env example: server-only items keep their live places around the ordered ones',
    schema: POD,
    original: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', env: ['ENV2', 'ENV5', 'ENV1', 'ENV3', 'ENV4'].map((name) => ({ name, value: name })) }] },
    },
    patch: {
      spec: {
        containers: [{
          name: 'c',
          '$setElementOrder/env': [{ name: 'ENV1' }, { name: 'ENV2' }, { name: 'ENV6' }],
          env: [{ name: 'ENV3', $patch: 'delete' }, { name: 'ENV6', value: 'new-env' }],
        }],
      },
    },
    want: (o) => {
      const env = o.spec.containers[0].env as Obj[];
      const byName = (n: string) => env.find((e) => e.name === n);
      o.spec.containers[0].env = [byName('ENV5'), byName('ENV1'), byName('ENV2'), byName('ENV4'), { name: 'ENV6', value: 'new-env' }];
    },
  },
  {
    name: 'an empty $setElementOrder leaves the order to Go\'s stable sort',
    patch: templateSpec({ '$setElementOrder/containers': [], containers: [{ name: 'nginx', image: 'nginx:1.26' }, { name: 'cache', image: 'redis' }] }),
    want: (o) => {
      podSpec(o).containers[0].image = 'nginx:1.26';
      podSpec(o).containers.unshift({ name: 'cache', image: 'redis' });
    },
  },

  // Lists of primitives with patch strategy merge are sets.
  {
    name: 'finalizers merge as a set, patch items in patch order',
    patch: { metadata: { finalizers: ['b', 'd'] } },
    want: (o) => (o.metadata.finalizers = ['a', 'b', 'd', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList removes items',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'missing'] } },
    want: (o) => (o.metadata.finalizers = ['a', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList also applies to a list without merge strategy',
    patch: templateSpec({ containers: [{ name: 'sidecar', '$deleteFromPrimitiveList/args': ['infinity'] }] }),
    want: (o) => (podSpec(o).containers[1].args = ['sleep']),
  },
  {
    name: '$setElementOrder orders a set',
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } },
    want: (o) => (o.metadata.finalizers = ['c', 'a', 'b']),
  },
  {
    name: 'design document finalizers example',
    original: { ...deployment(), metadata: { name: 'web', finalizers: ['b', 'e', 'a', 'c', 'd'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['a', 'b', 'f'], '$deleteFromPrimitiveList/finalizers': ['c'], finalizers: ['f'] } },
    want: (o) => (o.metadata.finalizers = ['e', 'a', 'b', 'f', 'd']),
  },

  // What kube rejects.
  {
    name: '$patch: merge in a map is an unknown patch type',
    patch: { metadata: { $patch: 'merge', labels: { a: 'b' } } },
    error: { code: 500, message: 'unknown patch type: merge in map: map[$patch:merge labels:map[a:b]]' },
  },
  {
    name: '$patch: merge in a list',
    patch: templateSpec({ containers: [{ name: 'nginx', $patch: 'merge' }] }),
    error: { code: 500, message: 'merging lists cannot yet be specified in the patch' },
  },
  {
    name: 'an unknown $patch in a list',
    patch: templateSpec({ containers: [{ name: 'nginx', $patch: 'bogus' }] }),
    error: { code: 500, message: 'unknown patch type: bogus in map: map[$patch:bogus name:nginx]' },
  },
  {
    name: 'an element without the merge key',
    patch: templateSpec({ containers: [{ image: 'nginx:1.26' }] }),
    error: { code: 500, message: 'map: map[image:nginx:1.26] does not contain declared merge key: name' },
  },
  {
    name: 'a delete directive without the merge key',
    patch: templateSpec({ containers: [{ $patch: 'delete' }] }),
    error: { code: 500, message: 'map: map[$patch:delete] does not contain declared merge key: name' },
  },
  {
    name: '$setElementOrder that is not a list',
    patch: templateSpec({ '$setElementOrder/containers': { name: 'nginx' } }),
    error: { code: 500, message: 'expected a []interface {}, but received a map[string]interface {}' },
  },
  {
    name: '$setElementOrder next to a null list',
    patch: templateSpec({ '$setElementOrder/containers': [{ name: 'nginx' }], containers: null }),
    error: { code: 500, message: 'expected a []interface {}, but received a %!s(<nil>)' },
  },
  {
    name: 'a patch list out of $setElementOrder order',
    patch: templateSpec({
      '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
      containers: [{ name: 'sidecar', image: 'x' }, { name: 'nginx', image: 'y' }],
    }),
    error: {
      code: 500,
      message: "The order in patch list:\n[map[image:x name:sidecar] map[image:y name:nginx]]\n doesn't match $setElementOrder list:\n[map[name:nginx] map[name:sidecar]]\n",
    },
  },
  {
    name: 'a $setElementOrder key without a field',
    patch: { metadata: { $setElementOrder: ['a'] } },
    error: { code: 400, message: 'invalid patch format of setElementOrder list' },
  },
  {
    name: 'a malformed $deleteFromPrimitiveList key',
    patch: { metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } },
    error: { code: 400, message: 'invalid patch format of primitive list' },
  },
  {
    name: '$retainKeys that is not a list',
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: 'a patched key missing from $retainKeys',
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: 'a deletion list of maps for a list without merge key',
    patch: templateSpec({ '$deleteFromPrimitiveList/tolerations': [{ key: 'spot' }] }),
    error: { code: 500, message: 'cannot merge lists without merge key for struct' },
  },
  {
    name: 'list items of different types',
    patch: { metadata: { finalizers: [1] } },
    error: { code: 500, message: 'list element types are not identical: [[a b c] [1]]' },
  },
  {
    name: 'a list of lists',
    original: { ...deployment(), metadata: { name: 'web', finalizers: [] } },
    patch: { metadata: { finalizers: [['x']] } },
    error: { code: 422, message: 'lists of lists are not supported' },
  },
  {
    name: 'a list opening with null makes kube panic',
    original: { ...deployment(), metadata: { name: 'web', finalizers: [] } },
    patch: { metadata: { finalizers: [null] } },
    error: { code: 500, message: 'runtime error: invalid memory address or nil pointer dereference', panicked: true },
  },
  {
    name: 'a body that is not an object',
    patch: [{ op: 'add' }],
    error: { code: 400, message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
  },
  {
    name: 'a null body changes nothing',
    patch: null,
    want: () => {},
  },
];

for (const c of cases) {
  test(`strategic merge patch: ${c.name}`, () => {
    const original = c.original ?? deployment();
    const run = () => strategicMergePatch(original, c.patch, c.schema ?? DEPLOYMENT, schemas);
    if (c.error) {
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof StrategicMergePatchError);
        assert.deepEqual({ code: err.code, message: err.message, panicked: err.panicked }, { panicked: false, ...c.error });
        return true;
      });
      return;
    }
    const want = structuredClone(original);
    c.want!(want);
    assert.deepEqual(run(), want);
  });
}

test('strategic merge patch leaves its arguments untouched', () => {
  const original = deployment();
  const patch = templateSpec({
    '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }],
    containers: [{ name: 'nginx', env: [{ name: 'DEBUG', $patch: 'delete' }], image: null }],
  });
  const before = structuredClone({ original, patch });
  const result = strategicMergePatch(original, patch, DEPLOYMENT, schemas) as Obj;
  assert.deepEqual({ original, patch }, before);
  assert.deepEqual(names(podSpec(result).containers), ['sidecar', 'nginx']);
  assert.notEqual(podSpec(result).containers[1], podSpec(original).containers[0]);
});

// Patch bodies captured from `kubectl apply -v=8` (kubectl 1.33): the same Deployment applied again with nginx's image
// changed, then with the DEBUG variable removed from the manifest.
const LAST_APPLIED_PREFIX = String.raw`{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"}`;
const LAST_APPLIED_SUFFIX = String.raw`,\"image\":\"nginx:1.26\",\"name\":\"nginx\",\"ports\":[{\"containerPort\":80}]},{\"args\":[\"sleep\",\"infinity\"],\"image\":\"busybox:1.36\",\"name\":\"sidecar\"}]}}}}\n`;
const IMAGE_PATCH = String.raw`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"` + LAST_APPLIED_PREFIX +
  String.raw`,{\"name\":\"DEBUG\",\"value\":\"false\"}]` + LAST_APPLIED_SUFFIX +
  String.raw`"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}`;
const ENV_REMOVAL_PATCH = String.raw`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"` + LAST_APPLIED_PREFIX +
  ']' + LAST_APPLIED_SUFFIX +
  String.raw`"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"MODE"}],"env":[{"$patch":"delete","name":"DEBUG"}],"image":"nginx:1.26","name":"nginx"}]}}}}`;

/** The Deployment as the apiserver stored it (defaults filled in), then changed by others: an autoscaler set replicas,
 * `kubectl rollout restart` annotated the template, an admission webhook gave the sidecar resources. */
function liveDeployment(): Obj {
  const container = { imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: '5b0c9f1e-2f55-4a57-9d3c-0d1b6f0a7c11',
      resourceVersion: '7',
      generation: 2,
      creationTimestamp: '2026-11-22T08:54:57Z',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '(the first manifest)' },
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 5,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T09:00:00Z' } },
        spec: {
          containers: [
            {
              env: [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: 'false' }],
              image: 'nginx:1.25',
              name: 'nginx',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              ...container,
            },
            { args: ['sleep', 'infinity'], image: 'busybox:1.36', name: 'sidecar', ...container, resources: { limits: { memory: '64Mi' } } },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

test('kubectl apply: one container\'s image changes, what others set survives', () => {
  const live = liveDeployment();
  const patch = JSON.parse(IMAGE_PATCH) as Obj;
  const want = liveDeployment();
  want.metadata.annotations = patch.metadata.annotations;
  podSpec(want).containers[0].image = 'nginx:1.26';
  assert.deepEqual(strategicMergePatch(live, patch, DEPLOYMENT, schemas), want);
});

test('kubectl apply: an env var removed from the manifest is deleted', () => {
  const live = liveDeployment();
  const patch = JSON.parse(ENV_REMOVAL_PATCH) as Obj;
  const want = liveDeployment();
  want.metadata.annotations = patch.metadata.annotations;
  podSpec(want).containers[0].image = 'nginx:1.26';
  podSpec(want).containers[0].env = [{ name: 'MODE', value: 'prod' }];
  assert.deepEqual(strategicMergePatch(live, patch, DEPLOYMENT, schemas), want);
});

test('strategic merge patch cost for a typical Deployment (printed, not asserted)', (t) => {
  const live = liveDeployment();
  const patches = [IMAGE_PATCH, ENV_REMOVAL_PATCH].map((p) => JSON.parse(p) as unknown);
  const rounds = 5000;
  for (let i = 0; i < rounds; i++) for (const p of patches) strategicMergePatch(live, p, DEPLOYMENT, schemas); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const p of patches) strategicMergePatch(live, p, DEPLOYMENT, schemas);
  const perPatch = Number(process.hrtime.bigint() - start) / 1000 / (rounds * patches.length);
  t.diagnostic(`strategic merge patch of a Deployment (kubectl apply patches): ${perPatch.toFixed(1)} µs per patch`);
});

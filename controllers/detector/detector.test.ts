// The detector against a real apiserver process: Karmada's nginx sample, a label-selecting ClusterPropagationPolicy,
// garbage collection with the template, priorities and preemption, policy deletion and selector changes, a CRD
// created after start, and a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import pino from 'pino';
import YAML from 'yaml';
import { APIServerProcess } from '../../e2e/harness.js';
import { NGINX_DEPLOYMENT, NGINX_POLICY } from '../../e2e/samples.js';
import { loadClients } from '../runtime/client.js';
import type { ControllerContext } from '../runtime/controller.js';
import { EventBroadcaster } from '../runtime/events.js';
import { InformerFactory, SharedInformer } from '../runtime/informer.js';
import { ComponentMetrics } from '../runtime/metrics.js';
import { ResourceDetector } from './detector.js';
import { CPP_ID_LABEL, CPP_NAME_ANNOTATION, PP_ID_LABEL, PP_NAME_ANNOTATION, PP_NAMESPACE_ANNOTATION } from './matching.js';

let server: APIServerProcess;
let running: { stop: AbortController; informers: InformerFactory } | undefined;

/** Runs a detector in this process with the admin kubeconfig, as the controller-manager would. */
async function startDetector(): Promise<void> {
  const client = loadClients(server.kubeconfig);
  const logger = pino({ level: 'silent' });
  const informers = new InformerFactory(client.kc, logger, { initialMs: 100, maxMs: 1000 });
  const stop = new AbortController();
  const ctx: ControllerContext = { informers, client, logger, metrics: new ComponentMetrics(), events: new EventBroadcaster(client.kc, logger), signal: stop.signal };
  // Rediscovery on a timer is disabled in effect: a CRD must be picked up from its own events.
  await new ResourceDetector({ rediscoverIntervalMs: 3_600_000, informerBackoff: { initialMs: 100, maxMs: 1000 } }).start(ctx);
  running = { stop, informers };
}

async function stopDetector(): Promise<void> {
  running?.stop.abort();
  await running?.informers.stop();
  running = undefined;
}

before(async () => {
  server = await APIServerProcess.start();
  for (const ns of ['apps', 'prio', 'grab']) await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await startDetector();
});

after(async () => {
  await stopDetector();
  await server.destroy();
});

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const r = await server.request(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : {} });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
  return r.json();
}

const create = (path: string, body: unknown) => call('POST', path, body);
const patch = (path: string, body: unknown) => call('PATCH', path, body);
const remove = (path: string) => call('DELETE', path);

async function get(path: string): Promise<any> {
  const r = await server.request('GET', path);
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, r.body);
  return r.json();
}

/** Polls until check returns something truthy; a deadline only turns a hang into a failure. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const rbPath = (ns: string, name: string) => `/apis/work.karmada.io/v1alpha2/namespaces/${ns}/resourcebindings/${name}`;
const ppPath = (ns: string, name = '') => `/apis/policy.karmada.io/v1alpha1/namespaces/${ns}/propagationpolicies${name && `/${name}`}`;
const cppPath = (name = '') => `/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies${name && `/${name}`}`;
const deployPath = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name && `/${name}`}`;

/** The binding at path once check accepts it. */
function bindingWhere(path: string, what: string, check: (rb: any) => boolean): Promise<any> {
  return until(what, async () => {
    const rb = await get(path);
    return rb && check(rb) ? rb : undefined;
  });
}

const claimedBy = (obj: any) => obj?.metadata?.annotations?.[PP_NAME_ANNOTATION] ?? obj?.metadata?.annotations?.[CPP_NAME_ANNOTATION];

function deployment(name: string, labels: Record<string, string>, replicas = 1): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  };
}

test('the nginx sample: the Deployment is claimed and bound, follows its changes, and its binding goes with it', async () => {
  const policy = await create(ppPath('default'), YAML.parse(NGINX_POLICY));
  await create(deployPath('default'), YAML.parse(NGINX_DEPLOYMENT));

  const rb = await bindingWhere(rbPath('default', 'nginx-deployment'), 'the nginx ResourceBinding', (b) => b.spec?.replicas === 2);
  const nginx = await get(deployPath('default', 'nginx'));
  assert.deepEqual(rb.spec.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'nginx', uid: nginx.metadata.uid, resourceVersion: nginx.metadata.resourceVersion });
  assert.deepEqual(rb.spec.placement, policy.spec.placement);
  assert.equal(rb.spec.placement.replicaScheduling.replicaSchedulingType, 'Divided');
  assert.equal(rb.spec.schedulerName, 'default-scheduler');
  assert.equal(rb.spec.conflictResolution, 'Abort');
  assert.deepEqual(rb.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: nginx.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const id = policy.metadata.labels[PP_ID_LABEL];
  assert.ok(id);
  for (const obj of [rb, nginx]) {
    assert.equal(obj.metadata.labels[PP_ID_LABEL], id);
    assert.equal(obj.metadata.annotations[PP_NAMESPACE_ANNOTATION], 'default');
    assert.equal(obj.metadata.annotations[PP_NAME_ANNOTATION], 'nginx-propagation');
  }

  // A change of the template's spec reaches the binding, with the template's new resourceVersion.
  await patch(deployPath('default', 'nginx'), { spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx', resources: { requests: { cpu: '250m', memory: '64Mi' } } }] } } } });
  const scaled = await bindingWhere(rbPath('default', 'nginx-deployment'), 'replicas 3', (b) => b.spec.replicas === 3 && b.spec.replicaRequirements);
  assert.deepEqual(scaled.spec.replicaRequirements, { resourceRequest: { cpu: '250m', memory: '64Mi' } });
  assert.equal(scaled.spec.resource.resourceVersion, (await get(deployPath('default', 'nginx'))).metadata.resourceVersion);

  // A change of the policy reaches the binding too.
  await patch(ppPath('default', 'nginx-propagation'), { spec: { placement: { clusterAffinity: { clusterNames: ['member1'] } } } });
  await bindingWhere(rbPath('default', 'nginx-deployment'), 'the new placement', (b) => b.spec.placement.clusterAffinity.clusterNames.join() === 'member1');

  // The binding carries the binding controller's finalizer from its creation; that controller does not run here.
  assert.deepEqual((await get(rbPath('default', 'nginx-deployment'))).metadata.finalizers, ['karmada.io/binding-controller']);
  await remove(deployPath('default', 'nginx'));
  await until('the binding deleted with its Deployment', async () => (await get(rbPath('default', 'nginx-deployment')))?.metadata.deletionTimestamp);
  await patch(rbPath('default', 'nginx-deployment'), { metadata: { finalizers: null } });
  await until('the binding garbage-collected with its Deployment', async () => (await get(rbPath('default', 'nginx-deployment'))) === undefined);
});

test('a ClusterPropagationPolicy selects ConfigMaps by label, outside the reserved namespaces; a selector change releases them', async () => {
  const cpp = await create(cppPath(), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'shared-config' },
    spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { share: 'yes' } } }], placement: { clusterAffinity: { clusterNames: ['member1'] } } },
  });
  const cm = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: 'v' } });
  await create('/api/v1/namespaces/kube-system/configmaps', cm('system', { share: 'yes' }));
  await create('/api/v1/namespaces/apps/configmaps', cm('private', { share: 'no' }));
  await create('/api/v1/namespaces/apps/configmaps', cm('settings', { share: 'yes' }));

  const rb = await bindingWhere(rbPath('apps', 'settings-configmap'), 'the settings ResourceBinding', () => true);
  assert.equal(rb.metadata.labels[CPP_ID_LABEL], cpp.metadata.labels[CPP_ID_LABEL]);
  assert.equal(rb.metadata.annotations[CPP_NAME_ANNOTATION], 'shared-config');
  assert.equal(rb.spec.replicas, undefined, 'a ConfigMap has no replicas');
  assert.equal(rb.spec.resource.namespace, 'apps');
  // Reconciled before settings, from the same informer: neither was bound.
  assert.equal(await get(rbPath('apps', 'private-configmap')), undefined);
  assert.equal(await get(rbPath('kube-system', 'system-configmap')), undefined);

  // The policy stops selecting it: the template and binding lose the claim; the binding stays (Karmada's rule).
  await patch(cppPath('shared-config'), { spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { share: 'all' } } }] } });
  await until('settings released', async () => !(await get('/api/v1/namespaces/apps/configmaps/settings')).metadata.labels?.[CPP_ID_LABEL]);
  const released = await bindingWhere(rbPath('apps', 'settings-configmap'), 'the binding released', (b) => !b.metadata.labels?.[CPP_ID_LABEL]);
  assert.equal(released.metadata.annotations?.[CPP_NAME_ANNOTATION], undefined);
});

test('priority picks the policy, preemption Always takes a template over, and a deleted policy hands it on', async () => {
  const pp = (name: string, priority: number, selector: Record<string, unknown>, preemption = 'Never') =>
    create(ppPath('prio'), {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name },
      spec: { priority, preemption, resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', ...selector }], placement: { clusterAffinity: { clusterNames: [name] } } },
    });
  await pp('low', 1, { name: 'web' });
  await pp('high', 2, { labelSelector: { matchLabels: { app: 'web' } } });
  await create(deployPath('prio'), deployment('web', { app: 'web' }));
  // The higher priority wins over the more precise name.
  await bindingWhere(rbPath('prio', 'web-deployment'), 'web claimed by high', (b) => claimedBy(b) === 'high');
  // A cluster policy of higher priority does not outrank a PropagationPolicy when the template is matched (below).
  await create(cppPath(), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'prio-everything' },
    spec: { priority: 100, resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prio' }] },
  });

  // preemption Never does not take a claimed template, even at a higher priority...
  await pp('meek', 10, { name: 'web' });
  // ...Always does; had meek taken it, takeover (3 < 10) could not.
  await pp('takeover', 3, { name: 'web' }, 'Always');
  const rb = await bindingWhere(rbPath('prio', 'web-deployment'), 'web taken over', (b) => claimedBy(b) === 'takeover');
  assert.deepEqual(rb.spec.placement.clusterAffinity.clusterNames, ['takeover']);
  assert.equal(claimedBy(await get(deployPath('prio', 'web'))), 'takeover');

  // The claiming policy deleted: the template is released and the best remaining PropagationPolicy claims it.
  await remove(ppPath('prio', 'takeover'));
  await bindingWhere(rbPath('prio', 'web-deployment'), 'web handed to meek', (b) => claimedBy(b) === 'meek' && b.spec.placement.clusterAffinity.clusterNames[0] === 'meek');
});

test('a PropagationPolicy with preemption Always takes a template from a ClusterPropagationPolicy, which gets it back when it goes', async () => {
  await create(cppPath(), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'grab-all' },
    spec: { priority: 50, resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'grab' }] },
  });
  await create(deployPath('grab'), deployment('api', { app: 'api' }, 4));
  await bindingWhere(rbPath('grab', 'api-deployment'), 'api claimed by the cluster policy', (b) => claimedBy(b) === 'grab-all' && b.spec.replicas === 4);

  await create(ppPath('grab'), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'grabber' },
    spec: { preemption: 'Always', resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }] },
  });
  const taken = await bindingWhere(rbPath('grab', 'api-deployment'), 'api taken by the PropagationPolicy', (b) => b.metadata.annotations?.[PP_NAME_ANNOTATION] === 'grabber');
  assert.equal(taken.metadata.labels[CPP_ID_LABEL], undefined, 'the cluster policy claim is gone from the binding');
  const api = await get(deployPath('grab', 'api'));
  assert.equal(api.metadata.labels[CPP_ID_LABEL], undefined, 'and from the template');
  assert.equal(api.metadata.annotations[CPP_NAME_ANNOTATION], undefined);

  await remove(ppPath('grab', 'grabber'));
  await bindingWhere(rbPath('grab', 'api-deployment'), 'api back with the cluster policy', (b) => claimedBy(b) === 'grab-all' && !b.metadata.labels[PP_ID_LABEL]);
});

test('a CRD created after start is watched; its scale subresource gives the replicas; cluster-scoped templates get ClusterResourceBindings', async () => {
  await create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.io' },
    spec: {
      group: 'example.io',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', properties: { size: { type: 'integer' } } } } } },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
        },
      ],
    },
  });
  await create(cppPath(), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'widgets-and-roles' },
    spec: {
      resourceSelectors: [
        { apiVersion: 'example.io/v1', kind: 'Widget' },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'widget-viewer' },
      ],
    },
  });
  await until('widgets served', async () => (await server.request('GET', '/apis/example.io/v1/namespaces/apps/widgets')).status === 200);
  await create('/apis/example.io/v1/namespaces/apps/widgets', { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 4 } });
  const rb = await bindingWhere(rbPath('apps', 'w1-widget'), 'the widget ResourceBinding', () => true);
  assert.equal(rb.spec.replicas, 4);
  assert.equal(rb.spec.resource.apiVersion, 'example.io/v1');

  await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'widget-viewer' }, rules: [] });
  const crb = await bindingWhere('/apis/work.karmada.io/v1alpha2/clusterresourcebindings/widget-viewer-clusterrole', 'the ClusterResourceBinding', () => true);
  assert.deepEqual(crb.spec.resource, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'widget-viewer', uid: crb.metadata.ownerReferences[0].uid, resourceVersion: crb.spec.resource.resourceVersion });
  assert.equal(crb.metadata.annotations[CPP_NAME_ANNOTATION], 'widgets-and-roles');
});

test('after a restart, a policy deleted while the detector was down releases its templates', async () => {
  await create(ppPath('apps'), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'batch' },
    spec: { resourceSelectors: [{ apiVersion: 'batch/v1', kind: 'Job' }] },
  });
  await create('/apis/batch/v1/namespaces/apps/jobs', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'report' },
    spec: { parallelism: 3, completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'busybox' }] } } },
  });
  const rb = await bindingWhere(rbPath('apps', 'report-job'), 'the job ResourceBinding', () => true);
  assert.equal(rb.spec.replicas, 2, 'parallelism capped by completions');

  await stopDetector();
  await remove(ppPath('apps', 'batch'));
  await startDetector();
  await until('the job released', async () => !(await get('/apis/batch/v1/namespaces/apps/jobs/report')).metadata.labels?.[PP_ID_LABEL]);
  await bindingWhere(rbPath('apps', 'report-job'), 'the binding released and kept', (b) => !b.metadata.labels?.[PP_ID_LABEL] && !claimedBy(b));
});

test('after a restart, no template is reconciled before the bindings have listed', async () => {
  await stopDetector();
  const client = loadClients(server.kubeconfig);
  const logger = pino({ level: 'silent' });
  // The bindings' informers start listing only when the test says so; every other informer as usual.
  const held: SharedInformer<any>[] = [];
  class HeldBindings extends InformerFactory {
    override forResource<T extends KubernetesObject>(path: string): SharedInformer<T> {
      if (!path.includes('bindings')) return super.forResource<T>(path);
      const informer = new SharedInformer<T>(client.kc, path, logger);
      held.push(informer);
      return informer;
    }
  }
  const informers = new HeldBindings(client.kc, logger, { initialMs: 100, maxMs: 1000 });
  const stop = new AbortController();
  const metrics = new ComponentMetrics();
  const started = new ResourceDetector({ rediscoverIntervalMs: 3_600_000 }).start({ informers, client, logger, metrics, events: new EventBroadcaster(client.kc, logger), signal: stop.signal });
  const reconciles = async () => (await metrics.reconciles.get()).values.filter((v) => v.labels.controller === 'resource-detector').reduce((n, v) => n + v.value, 0);
  try {
    // Long enough for the CRDs, discovery and the templates to have listed.
    await sleep(1_500);
    assert.equal(await reconciles(), 0, 'no template reconciled while the bindings list');
    for (const i of held) i.start();
    await started;
    await until('the templates reconciled', async () => (await reconciles()) > 0);
  } finally {
    stop.abort();
    await informers.stop();
    await Promise.all(held.map((i) => i.stop()));
    await startDetector();
  }
});

test('dependentOverrides hold a policy back until the override policies exist', async () => {
  const pp = (name: string, configMap: string, dependentOverrides: string[] = []) =>
    create(ppPath('apps'), {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name },
      spec: { dependentOverrides, resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: configMap }] },
    });
  await pp('needs-override', 'dependent', ['add-labels']);
  await pp('plain', 'independent');
  await create('/api/v1/namespaces/apps/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dependent' } });
  await create('/api/v1/namespaces/apps/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'independent' } });
  await bindingWhere(rbPath('apps', 'independent-configmap'), 'the independent binding', () => true);
  // Reconciled before independent, from the same informer, and held back.
  assert.equal(await get(rbPath('apps', 'dependent-configmap')), undefined);
  assert.equal((await get('/api/v1/namespaces/apps/configmaps/dependent')).metadata.labels?.[PP_ID_LABEL], undefined);

  await create('/apis/policy.karmada.io/v1alpha1/namespaces/apps/overridepolicies', {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'OverridePolicy',
    metadata: { name: 'add-labels' },
    spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'dependent' }], overrideRules: [{ overriders: { labelsOverrider: [{ operator: 'add', value: { a: 'b' } }] } }] },
  });
  await bindingWhere(rbPath('apps', 'dependent-configmap'), 'the dependent binding', (b) => claimedBy(b) === 'needs-override');
});

test("a policy carrying Karmada's finalizer is deleted once its templates are released", async () => {
  await create(ppPath('apps'), {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'guarded', finalizers: ['karmada.io/propagation-policy-controller'] },
    spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'guarded' }] },
  });
  await create('/api/v1/namespaces/apps/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'guarded' } });
  await bindingWhere(rbPath('apps', 'guarded-configmap'), 'the guarded binding', (b) => claimedBy(b) === 'guarded');

  await remove(ppPath('apps', 'guarded'));
  await until('the policy deleted', async () => (await get(ppPath('apps', 'guarded'))) === undefined);
  // The finalizer came off only after the release, so this holds at once.
  assert.equal((await get('/api/v1/namespaces/apps/configmaps/guarded')).metadata.labels?.[PP_ID_LABEL], undefined);
  const rb = await get(rbPath('apps', 'guarded-configmap'));
  assert.equal(rb.metadata.labels?.[PP_ID_LABEL], undefined);
  assert.equal(claimedBy(rb), undefined);
});

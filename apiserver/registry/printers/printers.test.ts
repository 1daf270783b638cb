import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../storage/store.js';
import * as p from './index.js';
import type { TableColumn } from '../types.js';

/** A timestamp `ms` ago, half a second early so the printed age is stable while the test runs. */
const ago = (ms: number): string => new Date(Date.now() - ms - 500).toISOString();

/** The cells of one row keyed by column name. */
function cells(columns: TableColumn[], obj: KObject): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c.name, c.cell(obj)]));
}

const header = (columns: TableColumn[]) => columns.map((c) => (c.priority ? `${c.name}*` : c.name));

test('deployment row: READY, UP-TO-DATE, AVAILABLE, AGE and the wide CONTAINERS, IMAGES, SELECTOR', () => {
  assert.deepEqual(header(p.deploymentColumns), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const deployment = {
    metadata: { name: 'web', creationTimestamp: ago(5000) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }, { key: 'canary', operator: 'DoesNotExist' }] },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(p.deploymentColumns.map((c) => c.cell(deployment)), ['web', '2/3', 3, 2, '5s', 'nginx,log', 'nginx:1.25,busybox', 'app=web,!canary,tier in (be,fe)']);

  const fresh = { metadata: { name: 'new' }, spec: { template: { spec: {} } } };
  assert.deepEqual(p.deploymentColumns.map((c) => c.cell(fresh)), ['new', '0/1', 0, 0, '<unknown>', '', '', '']);
});

test('workload selectors: "<none>" when empty, "<error>"/"<invalid>" when an operator is unknown', () => {
  const empty = { metadata: { name: 'x' }, spec: { selector: {}, template: { spec: {} } } };
  assert.equal(cells(p.replicaSetColumns, empty).Selector, '<none>');
  assert.equal(cells(p.deploymentColumns, empty).Selector, '');
  const bad = { metadata: { name: 'x' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] }, template: { spec: {} } } };
  assert.equal(cells(p.replicaSetColumns, bad).Selector, '<error>');
  assert.equal(cells(p.deploymentColumns, bad).Selector, '<invalid>');
  assert.equal(p.labelSelectorString({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'app', operator: 'Exists' }] }), 'app,env notin (prod)');
});

test('replica set, stateful set and daemon set rows', () => {
  const rs = { metadata: { name: 'rs' }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 2, readyReplicas: 1 } };
  assert.deepEqual(cells(p.replicaSetColumns, rs), { Name: 'rs', Desired: 2, Current: 2, Ready: 1, Age: '<unknown>', Containers: 'c', Images: 'i', Selector: '<none>' });
  assert.equal(cells(p.statefulSetColumns, { metadata: { name: 'db' }, spec: { replicas: 3 }, status: { readyReplicas: 3 } }).Ready, '3/3');
  const ds = {
    metadata: { name: 'agent' },
    spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  };
  const row = cells(p.daemonSetColumns, ds);
  assert.deepEqual([row.Desired, row.Current, row.Ready, row['Up-to-date'], row.Available, row['Node Selector']], [3, 3, 2, 3, 2, 'disk=ssd,kubernetes.io/os=linux']);
});

test('service rows: ports, cluster IP and external IP per type', () => {
  const svc = (spec: object, status: object = {}) => cells(p.serviceColumns, { metadata: { name: 'svc' }, spec, status });
  const cases: [object, object, Partial<Record<string, unknown>>][] = [
    [{ clusterIP: '10.0.0.10', ports: [{ port: 80, protocol: 'TCP' }] }, {}, { Type: 'ClusterIP', 'Cluster-IP': '10.0.0.10', 'External-IP': '<none>', 'Port(s)': '80/TCP' }],
    [
      { type: 'NodePort', clusterIPs: ['10.0.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
      {},
      { Type: 'NodePort', 'Cluster-IP': '10.0.0.11', 'External-IP': '<none>', 'Port(s)': '80:30080/TCP,53/UDP' },
    ],
    [{ type: 'ClusterIP', clusterIP: 'None', externalIPs: ['1.2.3.4', '5.6.7.8'] }, {}, { 'Cluster-IP': 'None', 'External-IP': '1.2.3.4,5.6.7.8', 'Port(s)': '<none>' }],
    [{ type: 'LoadBalancer', ports: [{ port: 443 }] }, {}, { 'Cluster-IP': '<none>', 'External-IP': '<pending>', 'Port(s)': '443/TCP' }],
    [
      { type: 'LoadBalancer' },
      { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example.com' }, { ip: '9.9.9.9' }] } },
      { 'External-IP': '9.9.9.9,lb.example.com' },
    ],
    [{ type: 'LoadBalancer', externalIPs: ['1.1.1.1'] }, { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } }, { 'External-IP': '9.9.9.9,1.1.1.1' }],
    [{ type: 'ExternalName', externalName: 'db.example.com' }, {}, { 'External-IP': 'db.example.com' }],
  ];
  for (const [spec, status, want] of cases) {
    const row = svc(spec, status);
    for (const [k, v] of Object.entries(want)) assert.equal(row[k], v, `${JSON.stringify(spec)} ${k}`);
  }
  assert.equal(svc({ selector: { app: 'web', tier: 'fe' } }).Selector, 'app=web,tier=fe');
  assert.equal(svc({}).Selector, '<none>');
});

test('secret and config map DATA counts', () => {
  assert.deepEqual(cells(p.secretColumns, { metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' } }), { Name: 's', Type: 'Opaque', Data: 2, Age: '<unknown>' });
  assert.equal(cells(p.secretColumns, { metadata: { name: 't' }, type: 'kubernetes.io/tls' }).Data, 0);
  assert.equal(cells(p.secretColumns, { metadata: { name: 't' }, type: 'kubernetes.io/tls' }).Type, 'kubernetes.io/tls');
  assert.equal(cells(p.configMapColumns, { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }).Data, 3);
  assert.equal(cells(p.configMapColumns, { metadata: { name: 'c' } }).Data, 0);
});

test('pod READY, STATUS and RESTARTS follow kube printPod', () => {
  const running = (name: string, ready: boolean, extra: object = {}) => ({ name, ready, restartCount: 0, state: { running: {} }, ...extra });
  const pod = (spec: object, status: object, metadata: object = {}) => ({ metadata: { name: 'p', ...metadata }, spec, status });
  const two = { containers: [{ name: 'a' }, { name: 'b' }] };
  const cases: [string, KObject, string, string, string][] = [
    ['pending', pod(two, { phase: 'Pending' }), '0/2', 'Pending', '0'],
    ['running, one ready', pod(two, { phase: 'Running', containerStatuses: [running('a', true), running('b', false)] }), '1/2', 'Running', '0'],
    [
      'crash loop with a recent restart',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          running('a', true),
          { name: 'b', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * 60_000) } } },
        ],
      }),
      '1/2',
      'CrashLoopBackOff',
      '5 (3m ago)',
    ],
    ['terminated by signal', pod(two, { phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { signal: 9, exitCode: 137 } } }] }), '0/2', 'Signal:9', '0'],
    ['completed', pod(two, { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }), '0/2', 'Completed', '0'],
    [
      'init container still waiting',
      pod({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }),
      '0/1',
      'Init:0/1',
      '0',
    ],
    [
      'init container crashing',
      pod({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      '0/1',
      'Init:CrashLoopBackOff',
      '2',
    ],
    [
      'started sidecar counts towards READY',
      pod(
        { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
        { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [{ name: 'proxy', started: true, ready: true, state: { running: {} } }], containerStatuses: [running('a', true)] },
      ),
      '2/2',
      'Running',
      '0',
    ],
    ['scheduling gated', pod(two, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/2', 'SchedulingGated', '0'],
    ['deleting', pod(two, { phase: 'Running', containerStatuses: [running('a', true), running('b', true)] }, { deletionTimestamp: ago(0) }), '2/2', 'Terminating', '0'],
    ['lost node', pod(two, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(0) }), '0/2', 'Unknown', '0'],
  ];
  for (const [what, obj, ready, status, restarts] of cases) {
    const row = cells(p.podColumns, obj);
    assert.deepEqual([row.Ready, row.Status, row.Restarts], [ready, status, restarts], what);
  }
});

test('pod wide columns print <none> for unset IP, node and readiness gates', () => {
  const row = cells(p.podColumns, { metadata: { name: 'p' }, spec: {}, status: {} });
  assert.deepEqual([row.IP, row.Node, row['Nominated Node'], row['Readiness Gates']], ['<none>', '<none>', '<none>', '<none>']);
  const placed = cells(p.podColumns, {
    metadata: { name: 'p' },
    spec: { nodeName: 'n1', readinessGates: [{ conditionType: 'lb' }, { conditionType: 'dns' }] },
    status: { podIP: '10.1.0.5', conditions: [{ type: 'lb', status: 'True' }, { type: 'dns', status: 'False' }] },
  });
  assert.deepEqual([placed.IP, placed.Node, placed['Readiness Gates']], ['10.1.0.5', 'n1', '1/2']);
});

test('node STATUS, ROLES and wide info', () => {
  const node = {
    metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'master' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'False' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] },
  };
  assert.deepEqual(cells(p.nodeColumns, node), {
    Name: 'n1',
    Status: 'NotReady,SchedulingDisabled',
    Roles: 'control-plane,master',
    Age: '<unknown>',
    Version: 'v1.32.0',
    'Internal-IP': '192.168.0.2',
    'External-IP': '<none>',
    'OS-Image': '<unknown>',
    'Kernel-Version': '<unknown>',
    'Container-Runtime': '<unknown>',
  });
  assert.equal(cells(p.nodeColumns, { metadata: { name: 'n2' } }).Status, 'Unknown');
  assert.equal(cells(p.nodeColumns, { metadata: { name: 'n2' } }).Roles, '<none>');
});

test('event row: times, object, source and count', () => {
  assert.deepEqual(header(p.eventColumns), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  const ev = {
    metadata: { name: 'web.17a' },
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: '  Successfully pulled image\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(10 * 60_000),
    lastTimestamp: ago(65_000),
    count: 4,
  };
  assert.deepEqual(p.eventColumns.map((c) => c.cell(ev)), ['65s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, n1', 'Successfully pulled image', '10m', 4, 'web.17a']);
  const modern = { metadata: { name: 'e' }, involvedObject: { kind: 'Node' }, eventTime: ago(30_000), reportingComponent: 'scheduler' };
  const row = cells(p.eventColumns, modern);
  assert.deepEqual([row['Last Seen'], row['First Seen'], row.Object, row.Source, row.Count], ['30s', '30s', 'node', 'scheduler', 1]);
  const series = { ...modern, series: { count: 7, lastObservedTime: ago(2000) } };
  assert.deepEqual([cells(p.eventColumns, series)['Last Seen'], cells(p.eventColumns, series).Count], ['2s', 7]);
});

test('job and cron job rows', () => {
  const job = (spec: object, status: object, metadata: object = {}) => cells(p.jobColumns, { metadata: { name: 'j', ...metadata }, spec: { template: { spec: {} }, ...spec }, status });
  assert.deepEqual(job({ completions: 3 }, { succeeded: 1, startTime: ago(90_000) }), {
    Name: 'j', Status: 'Running', Completions: '1/3', Duration: '90s', Age: '<unknown>', Containers: '', Images: '', Selector: '<none>',
  });
  assert.equal(job({ parallelism: 4 }, {}).Completions, '0/1 of 4');
  assert.equal(job({}, { succeeded: 1 }).Completions, '1/1');
  assert.equal(job({}, {}).Duration, '');
  const done = job({}, { conditions: [{ type: 'Complete', status: 'True' }], startTime: '2024-01-01T00:00:00Z', completionTime: '2024-01-01T00:02:05Z' });
  assert.deepEqual([done.Status, done.Duration], ['Complete', '2m5s']);
  assert.equal(job({}, { conditions: [{ type: 'Failed', status: 'True' }] }).Status, 'Failed');
  assert.equal(job({}, {}, { deletionTimestamp: ago(0) }).Status, 'Terminating');
  assert.equal(job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }).Status, 'Suspended');

  const cj = cells(p.cronJobColumns, {
    metadata: { name: 'nightly' },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'backup', image: 'tools' }] } } } } },
    status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(4 * 3_600_000) },
  });
  assert.deepEqual(cj, { Name: 'nightly', Schedule: '0 3 * * *', Timezone: '<none>', Suspend: 'False', Active: 1, 'Last Schedule': '4h', Age: '<unknown>', Containers: 'backup', Images: 'tools', Selector: '<none>' });
});

test('ingress hosts, address and ports', () => {
  const ing = (spec: object, status: object = {}) => cells(p.ingressColumns, { metadata: { name: 'i' }, spec, status });
  assert.deepEqual(ing({ rules: [{ http: {} }] }), { Name: 'i', Class: '<none>', Hosts: '*', Address: '', Ports: '80', Age: '<unknown>' });
  const row = ing(
    { ingressClassName: 'nginx', tls: [{ hosts: ['a.example'] }], rules: [{ host: 'a' }, { host: 'b' }, {}, { host: 'c' }, { host: 'd' }] },
    { loadBalancer: { ingress: [{ hostname: 'lb' }, { ip: '1.2.3.4' }] } },
  );
  assert.deepEqual([row.Class, row.Hosts, row.Address, row.Ports], ['nginx', 'a,b,c + 2 more...', '1.2.3.4,lb', '80, 443']);
  assert.equal(ing({ rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, {}] }).Hosts, 'a,b,c + 1 more...');
  assert.equal(ing({ rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }] }).Hosts, 'a,b,c');
});

test('endpoints and endpoint slices list three addresses then "+ N more..."', () => {
  const ep = (subsets: unknown) => cells(p.endpointsColumns, { metadata: { name: 'e' }, subsets }).Endpoints;
  assert.equal(ep(undefined), '<none>');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 8080 }] }]), '10.0.0.1:8080,[fd00::1]:8080');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }]), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.9' }] }]), '10.0.0.9');

  const slice = cells(p.endpointSliceColumns, {
    metadata: { name: 's' },
    addressType: 'IPv4',
    ports: [{ port: 80 }, { name: 'http' }, {}, { port: 9000 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
  });
  assert.deepEqual([slice.AddressType, slice.Ports, slice.Endpoints], ['IPv4', '80,http,* + 1 more...', '10.0.0.1,10.0.0.2']);
  assert.equal(cells(p.endpointSliceColumns, { metadata: { name: 's' } }).Endpoints, '<unset>');
});

test('persistent volume and claim rows', () => {
  const pv = cells(p.persistentVolumeColumns, {
    metadata: { name: 'pv1', annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'fast' },
    status: { phase: 'Bound' },
  });
  assert.deepEqual(pv, {
    Name: 'pv1', Capacity: '10Gi', 'Access Modes': 'RWO,RWX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'ns/data', StorageClass: 'legacy',
    VolumeAttributesClass: '<unset>', Reason: '', Age: '<unknown>', VolumeMode: '<unset>',
  });
  const pending = cells(p.persistentVolumeClaimColumns, { metadata: { name: 'c' }, spec: { storageClassName: 'fast', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  assert.deepEqual([pending.Status, pending.Volume, pending.Capacity, pending['Access Modes'], pending.StorageClass, pending.VolumeMode], ['Pending', '', '', '', 'fast', 'Filesystem']);
  const bound = cells(p.persistentVolumeClaimColumns, {
    metadata: { name: 'c', deletionTimestamp: ago(0) },
    spec: { volumeName: 'pv1' },
    status: { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOncePod'] },
  });
  assert.deepEqual([bound.Status, bound.Capacity, bound['Access Modes']], ['Terminating', '5Gi', 'RWOP']);
});

test('HPA targets for resource, pods, object and external metrics, v1 and v2', () => {
  const hpa = (spec: object, status: object = {}) => cells(p.horizontalPodAutoscalerColumns, { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 10, ...spec }, status });
  const v2 = hpa(
    {
      minReplicas: 2,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
      ],
    },
    { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
  );
  assert.deepEqual(v2, { Name: 'h', Reference: 'Deployment/web', Targets: 'cpu: 45%/80%, memory: <unknown>/500Mi', MinPods: '2', MaxPods: 10, Replicas: 3, Age: '<unknown>' });
  assert.equal(hpa({}).Targets, '<none>');
  assert.equal(hpa({}).MinPods, '1');
  assert.equal(hpa({ targetCPUUtilizationPercentage: 70 }, { currentCPUUtilizationPercentage: 12 }).Targets, 'cpu: 12%/70%');
  const many = hpa({
    metrics: [
      { type: 'Pods', pods: { target: { averageValue: '1k' } } },
      { type: 'External', external: { target: { averageValue: '30' } } },
      { type: 'Object', object: { target: { value: '2' } } },
    ],
  });
  assert.equal(many.Targets, '<unknown>/1k, <unknown>/30 (avg) + 1 more...');
});

test('rbac bindings, quotas, storage and priority classes, leases, pdbs, network policies', () => {
  const binding = cells(p.roleBindingColumns, {
    metadata: { name: 'b' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'dev' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' }],
  });
  assert.deepEqual(binding, { Name: 'b', Role: 'ClusterRole/view', Age: '<unknown>', Users: 'alice, bob', Groups: 'dev', ServiceAccounts: 'ci/runner' });

  const quota = cells(p.resourceQuotaColumns, {
    metadata: { name: 'q' },
    status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', 'limits.cpu': '4' }, used: { pods: '3', 'limits.cpu': '500m' } },
  });
  assert.deepEqual([quota.Request, quota.Limit], ['pods: 3/10, requests.cpu: 0/2', 'limits.cpu: 500m/4, limits.memory: 0/4Gi']);

  const sc = cells(p.storageClassColumns, { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'csi.example' });
  assert.deepEqual(sc, { Name: 'standard (default)', Provisioner: 'csi.example', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false, Age: '<unknown>' });

  assert.deepEqual(cells(p.priorityClassColumns, { metadata: { name: 'high' }, value: 1000, globalDefault: true, preemptionPolicy: 'Never' }), {
    Name: 'high', Value: 1000, 'Global-Default': true, Age: '<unknown>', PreemptionPolicy: 'Never',
  });
  assert.equal(cells(p.leaseColumns, { metadata: { name: 'l' }, spec: { holderIdentity: 'node-1' } }).Holder, 'node-1');
  assert.deepEqual(cells(p.podDisruptionBudgetColumns, { metadata: { name: 'pdb' }, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), {
    Name: 'pdb', 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '<unknown>',
  });
  assert.equal(cells(p.networkPolicyColumns, { metadata: { name: 'deny' }, spec: { podSelector: {} } })['Pod-Selector'], '<none>');
  assert.equal(cells(p.ingressClassColumns, { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' } } }).Parameters, 'Params.k8s.example.com/p');
});

test('the default table prints Created At as RFC 3339', () => {
  assert.deepEqual(header(p.defaultTableColumns), ['Name', 'Created At']);
  assert.equal(p.defaultTableColumns[1].type, 'date');
  assert.deepEqual(p.defaultTableColumns.map((c) => c.cell({ metadata: { name: 'r', creationTimestamp: '2024-03-01T10:00:00Z' } })), ['r', '2024-03-01T10:00:00Z']);
});

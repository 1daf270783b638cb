// Scheduling end to end (issue "Propagation end to end"): real processes, four simulated members in three regions
// with different capacities, templates and policies applied with kubectl, and the outcome read back from the
// bindings and from the members through their own kubeconfigs. The expected divisions are Karmada's. Its general
// estimator counts the room for replicas by the Clusters' resource models (the default grades of cpu and memory),
// each node holding what its grade's minimum holds:
//
//   member   region    labels       one node of       grade (min cpu, memory)   room for replicas of 1 cpu, 1Gi
//   member1  us-east   tier=gold    8 cpu, 32Gi       3 (4, 32Gi)               4
//   member2  us-east   tier=gold    4 cpu, 16Gi       2 (2, 16Gi)               2
//   member3  eu-west   tier=gold    2 cpu, 8Gi        1 (1, 4Gi)                1
//   member4  ap-south  tier=silver  1 cpu, 4Gi        1 (1, 4Gi)                1
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fleetSkip as skip, startFleet, type Fleet } from './fleet.js';

let fleet: Fleet;

const REGIONS: Record<string, string> = { member1: 'us-east', member2: 'us-east', member3: 'eu-west', member4: 'ap-south' };

before(async () => {
  if (skip) return;
  fleet = await startFleet({
    members: 4,
    membersArgs: ['--nodes', '1', '--regions', 'us-east,us-east,eu-west,ap-south', '--capacity', '8:32Gi:110,4:16Gi:110,2:8Gi:110,1:4Gi:110'],
    joins: [
      { name: 'member1', region: 'us-east', labels: { tier: 'gold' } },
      { name: 'member2', region: 'us-east', labels: { tier: 'gold' } },
      { name: 'member3', region: 'eu-west', labels: { tier: 'gold' } },
      { name: 'member4', region: 'ap-south', labels: { tier: 'silver' } },
    ],
  });
});

after(async () => {
  await fleet?.stop();
});

/** A Deployment in default; with cpu, each replica requests that much cpu and 1Gi of memory. */
function deployment(name: string, replicas: number, cpu?: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx', ...(cpu ? { resources: { requests: { cpu, memory: '1Gi' } } } : {}) }] },
      },
    },
  };
}

function propagationPolicy(name: string, placement: object): object {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: 'default' },
    spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }], placement },
  };
}

const apply = (...items: object[]) => fleet.apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));

/** spec.replicas of the Deployment in every member that has it. */
async function placed(name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of fleet.memberNames) {
    const n = await fleet.memberReplicas(m, 'deploy', name);
    if (n !== undefined) out[m] = n;
  }
  return out;
}

/** Waits until the members hold exactly want (member → replicas) of the Deployment. */
async function placedAs(name: string, want: Record<string, number>): Promise<void> {
  let last: Record<string, number> = {};
  await fleet
    .until(`${name} placed as ${JSON.stringify(want)}`, async () => {
      last = await placed(name);
      return JSON.stringify(Object.entries(last).sort()) === JSON.stringify(Object.entries(want).sort()) ? true : undefined;
    })
    .catch((err) => {
      throw new Error(`${err.message}\nlast seen in the members: ${JSON.stringify(last)}`);
    });
}

async function binding(name: string): Promise<any> {
  return fleet.getJSON(['rb', `${name}-deployment`, '-n', 'default']);
}

const scheduledCondition = (rb: any) => rb?.status?.conditions?.find((c: any) => c.type === 'Scheduled');

/**
 * The binding once its Scheduled condition has this reason; for Success, for its current generation (as Karmada,
 * the scheduler records the generation it observed only when scheduling succeeds).
 */
function bindingWhen(name: string, reason: string): Promise<any> {
  return fleet.until(`${name}-deployment Scheduled=${reason}`, async () => {
    const rb = await binding(name);
    if (scheduledCondition(rb)?.reason !== reason) return undefined;
    return reason !== 'Success' || rb.status?.schedulerObservedGeneration === rb.metadata.generation ? rb : undefined;
  });
}

const targets = (rb: any) => Object.fromEntries((rb.spec.clusters ?? []).map((c: any) => [c.name, c.replicas ?? 0]));

test('static weights 1:2 divide 9 replicas as 3 and 6, and 12 as 4 and 8 after scaling the template', { skip }, async () => {
  await apply(
    deployment('weighted', 9),
    propagationPolicy('weighted', {
      clusterAffinity: { clusterNames: ['member1', 'member2'] },
      replicaScheduling: {
        replicaSchedulingType: 'Divided',
        replicaDivisionPreference: 'Weighted',
        weightPreference: {
          staticWeightList: [
            { targetCluster: { clusterNames: ['member1'] }, weight: 1 },
            { targetCluster: { clusterNames: ['member2'] }, weight: 2 },
          ],
        },
      },
    }),
  );
  await placedAs('weighted', { member1: 3, member2: 6 });
  assert.deepEqual(targets(await binding('weighted')), { member1: 3, member2: 6 });

  const r = await fleet.kubectl('scale', 'deploy', 'weighted', '--replicas=12');
  assert.equal(r.code, 0, r.stderr);
  await placedAs('weighted', { member1: 4, member2: 8 });
  await fleet.until('READY 12/12 on the control plane', async () => (/^weighted\s+12\/12\s/m.test((await fleet.kubectl('get', 'deploy', 'weighted')).stdout) ? true : undefined));
});

const dynamicWeight = { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } };
const aggregated = { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' };
const goldNames = { clusterNames: ['member1', 'member2', 'member3'] };

test('dynamic weight by available replicas divides in proportion to the room for the requests', { skip }, async () => {
  // Room for 4, 2, 1 and 1: 8 replicas by 4:2:1:1. (The clusters' summed allocatable alone, 8, 4, 2 and 1, would
  // give 5, 2, 1 and 0.)
  await apply(deployment('dynamic', 8, '1'), propagationPolicy('dynamic', { replicaScheduling: dynamicWeight }));
  await placedAs('dynamic', { member1: 4, member2: 2, member3: 1, member4: 1 });
  const rb = await binding('dynamic');
  assert.deepEqual(rb.spec.replicaRequirements?.resourceRequest, { cpu: '1', memory: '1Gi' });
  assert.deepEqual(targets(rb), { member1: 4, member2: 2, member3: 1, member4: 1 });
  // Every replica fits where it was placed: the members make them all ready.
  await fleet.until('READY 8/8 on the control plane', async () => (/^dynamic\s+8\/8\s/m.test((await fleet.kubectl('get', 'deploy', 'dynamic')).stdout) ? true : undefined));
});

test('aggregated uses as few clusters as hold the replicas, the roomiest first', { skip }, async () => {
  // Over the gold clusters (room for 4, 2 and 1): 3 fit in member1 alone; 6 need member1 and member2, by 4:2.
  await apply(
    deployment('aggregated-small', 3, '1'),
    propagationPolicy('aggregated-small', { clusterAffinity: goldNames, replicaScheduling: aggregated }),
    deployment('aggregated', 6, '1'),
    propagationPolicy('aggregated', { clusterAffinity: goldNames, replicaScheduling: aggregated }),
  );
  await placedAs('aggregated-small', { member1: 3 });
  await placedAs('aggregated', { member1: 4, member2: 2 });
});

test('replicas that do not fit anywhere leave the binding Unschedulable, with nothing placed', { skip }, async () => {
  // The gold clusters hold 7 replicas of 1 cpu between them.
  await apply(deployment('too-big', 10, '1'), propagationPolicy('too-big', { clusterAffinity: goldNames, replicaScheduling: aggregated }));
  const rb = await bindingWhen('too-big', 'Unschedulable');
  const condition = scheduledCondition(rb);
  assert.equal(condition.status, 'False');
  assert.equal(condition.message, 'failed to assign replicas: failed to scale up: Clusters available replicas 7 are not enough to schedule.');
  assert.equal(rb.spec.clusters, undefined);
  assert.deepEqual(await placed('too-big'), {});
});

function clusterPropagationPolicy(name: string, spreadConstraints: object[]): object {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name }],
      placement: { clusterAffinity: { labelSelector: { matchLabels: { tier: 'gold' } } }, spreadConstraints },
    },
  };
}

test('a ClusterPropagationPolicy over gold clusters spread over 2 regions picks one cluster in each', { skip }, async () => {
  await apply(
    deployment('spread', 2),
    clusterPropagationPolicy('spread', [
      { spreadByField: 'region', minGroups: 2, maxGroups: 2 },
      { spreadByField: 'cluster', minGroups: 2, maxGroups: 2 },
    ]),
  );
  const rb = await bindingWhen('spread', 'Success');
  assert.equal(rb.metadata.annotations['clusterpropagationpolicy.karmada.io/name'], 'spread');
  assert.ok(rb.metadata.labels['clusterpropagationpolicy.karmada.io/permanent-id']);
  const chosen = Object.keys(targets(rb)).sort();
  assert.equal(chosen.length, 2, `chosen: ${chosen}`);
  assert.deepEqual(chosen.map((c) => REGIONS[c]).sort(), ['eu-west', 'us-east'], `chosen: ${chosen}`);
  // Duplicated: each chosen member runs both replicas; member4 (silver) is never chosen.
  await placedAs('spread', Object.fromEntries(chosen.map((c) => [c, 2])));
});

test('spreading over more regions than the gold clusters span fails until a cluster of a new region joins the tier', { skip }, async () => {
  await apply(
    deployment('spread3', 1),
    clusterPropagationPolicy('spread3', [
      { spreadByField: 'region', minGroups: 3, maxGroups: 3 },
      { spreadByField: 'cluster', minGroups: 3, maxGroups: 3 },
    ]),
  );
  const rb = await bindingWhen('spread3', 'SchedulerError');
  assert.equal(scheduledCondition(rb).message, 'failed to select clusters: the number of feasible region is less than spreadConstraint.MinGroups');
  assert.deepEqual(await placed('spread3'), {});

  const r = await fleet.kubectl('label', 'cluster', 'member4', 'tier=gold', '--overwrite');
  assert.equal(r.code, 0, r.stderr);
  const ok = await bindingWhen('spread3', 'Success');
  const chosen = Object.keys(targets(ok)).sort();
  assert.deepEqual(chosen.map((c) => REGIONS[c]).sort(), ['ap-south', 'eu-west', 'us-east'], `chosen: ${chosen}`);
  await placedAs('spread3', Object.fromEntries(chosen.map((c) => [c, 1])));
  assert.equal((await fleet.kubectl('label', 'cluster', 'member4', 'tier=silver', '--overwrite')).code, 0);
});

const TAINT = { key: 'dedicated', value: 'special', effect: 'NoSchedule' };

test('a NoSchedule taint keeps new placements off its cluster; affinity to it alone does not fit', { skip }, async () => {
  const r = await fleet.kubectl('patch', 'cluster', 'member3', '--type', 'merge', '-p', JSON.stringify({ spec: { taints: [TAINT] } }));
  assert.equal(r.code, 0, r.stderr);
  await fleet.until('the taint on member3', async () => ((await fleet.getJSON(['cluster', 'member3']))?.spec?.taints?.some((t: any) => t.key === TAINT.key) ? true : undefined));

  // Duplicated over every cluster: all but the tainted one.
  await apply(deployment('untolerated', 1), propagationPolicy('untolerated', {}));
  await placedAs('untolerated', { member1: 1, member2: 1, member4: 1 });

  // Only the tainted cluster is acceptable: no cluster fits, and the condition says why, per cluster count.
  await apply(deployment('tainted-only', 1), propagationPolicy('tainted-only', { clusterAffinity: { clusterNames: ['member3'] } }));
  const rb = await bindingWhen('tainted-only', 'NoClusterFit');
  const condition = scheduledCondition(rb);
  assert.equal(condition.status, 'False');
  assert.equal(
    condition.message,
    '0/4 clusters are available: 1 cluster(s) had untolerated taint {dedicated=special:NoSchedule}, 3 cluster(s) did not match the placement cluster affinity constraint.',
  );
  assert.equal(rb.spec.clusters, undefined);
  assert.deepEqual(await placed('tainted-only'), {});

  // Tolerating the taint lets it in.
  await apply(
    propagationPolicy('tainted-only', {
      clusterAffinity: { clusterNames: ['member3'] },
      clusterTolerations: [{ key: 'dedicated', operator: 'Equal', value: 'special', effect: 'NoSchedule' }],
    }),
  );
  await placedAs('tainted-only', { member3: 1 });
  assert.equal((await fleet.kubectl('patch', 'cluster', 'member3', '--type', 'merge', '-p', '{"spec":{"taints":null}}')).code, 0);
});

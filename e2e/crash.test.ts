// Crash recovery of the propagation pipeline, with real processes: an apiserver, two simulated members, a scheduler
// and a controller-manager. DEPLOYMENTS Deployments (2 replicas each) are divided 1:1 over member1 and member2 by a
// ClusterPropagationPolicy; while they are propagating (once LAND_BEFORE_KILL of them have landed in both members)
// the controller-manager and the scheduler are killed with SIGKILL and started again. Everything must converge as if
// nothing had happened: each Deployment in both members with one replica and READY 2/2 on the control plane, exactly
// one Work per binding per cluster (under Karmada's Work name), and no member object without its template.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateWorkName, RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION } from '../controllers/binding/names.js';
import { Fleet, MemberWorkloads, deployment, until } from '../bench/propagation.js';

const DEPLOYMENTS = 200;
const LAND_BEFORE_KILL = 40;
const NS = 'crash';
const MEMBERS = ['member1', 'member2'];

let fleet: Fleet;
let watch: MemberWorkloads | undefined;
const templates = Array.from({ length: DEPLOYMENTS }, (_, i) => `web-${i}`);

/** Templates present in both members with one replica each. */
const landed = () => templates.filter((name) => MEMBERS.every((m) => watch!.contents(m, NS).get(name) === 1)).length;

/** What the pipeline holds for the first few templates that have not landed, and the controllers' error logs. */
async function diagnose(): Promise<string> {
  const lines: string[] = [];
  for (const name of templates.filter((n) => !MEMBERS.every((m) => watch!.contents(m, NS).get(n) === 1)).slice(0, 3)) {
    const rb = await fleet.request('GET', `/apis/work.karmada.io/v1alpha2/namespaces/${NS}/resourcebindings/${name}-deployment`);
    const b = rb.status === 200 ? JSON.parse(rb.body.toString()) : undefined;
    lines.push(`${name}: members ${MEMBERS.map((m) => `${m}=${watch!.contents(m, NS).get(name)}`).join(' ')}; binding ${rb.status} gen ${b?.metadata.generation} clusters ${JSON.stringify(b?.spec.clusters)} status ${JSON.stringify(b?.status)}`);
    for (const m of MEMBERS) {
      const w = await fleet.request('GET', `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${m}/works/${generateWorkName('Deployment', name, NS)}`);
      const work = w.status === 200 ? JSON.parse(w.body.toString()) : undefined;
      lines.push(`  work in ${m}: ${w.status} ${JSON.stringify({ metadata: work?.metadata && { ...work.metadata, managedFields: undefined }, status: work?.status })}`);
    }
  }
  if (watch!.failure) lines.push(`the members' workload changes could not be read: ${watch!.failure}`);
  const errs = fleet.controllerManager!.errorLines().map((l) => l.slice(0, 400));
  lines.push(`controller-manager error lines: ${errs.length}`, ...errs.slice(-15));
  // A component that lost its Lease exits, as kube's do, and nothing here starts it again.
  for (const [role, proc] of [['scheduler', fleet.scheduler!], ['controller-manager', fleet.controllerManager!]] as const) {
    if (!proc.running) lines.push(`the ${role} exited (${proc.proc.exitCode ?? proc.proc.signalCode})`);
  }
  const scheduler = fleet.scheduler!.output.split('\n').filter((l) => /"level":(40|50|60)/.test(l));
  lines.push(`scheduler warning and error lines: ${scheduler.length}`, ...scheduler.slice(-15).map((l) => l.slice(0, 400)));
  return lines.join('\n');
}

before(async () => {
  fleet = new Fleet({
    members: 2,
    statusFrequency: '1s',
    // A killed leader holds its Lease until it expires: keep that short, but not so short that a leader starved of CPU
    // by a loaded machine misses its renew deadline and exits (a 2 s deadline was missed beside six busy loops).
    componentArgs: ['--lease-duration', '8s', '--renew-deadline', '6s', '--retry-period', '1s'],
  });
  await fleet.start();
  watch = new MemberWorkloads(fleet);
  await watch.synced();
});

after(async () => {
  await watch?.stop();
  await fleet?.stop();
});

test(`${DEPLOYMENTS} Deployments converge after the controller-manager and the scheduler are killed mid-propagation`, { timeout: 240_000 }, async (t) => {
  const t0 = Date.now();
  assert.equal((await fleet.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
  const policy = await fleet.create('/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies', {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'crash' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS }],
      placement: {
        clusterAffinity: { clusterNames: MEMBERS },
        replicaScheduling: {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: { staticWeightList: MEMBERS.map((m) => ({ targetCluster: { clusterNames: [m] }, weight: 1 })) },
        },
      },
    },
  });
  assert.equal(policy.status, 201, policy.body.toString());

  // Created by 8 concurrent clients; whatever is not created yet when the kill comes is created during the outage.
  let next = 0;
  const failed: string[] = [];
  const creating = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < templates.length) {
        const name = templates[next++];
        const r = await fleet.create(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(NS, name, 2));
        if (r.status !== 201) failed.push(`${name}: ${r.status} ${r.body.toString().slice(0, 200)}`);
      }
    }),
  );

  await until(`${LAND_BEFORE_KILL} Deployments in both members`, () => landed() >= LAND_BEFORE_KILL, 120_000, 50).catch(async (err) =>
    assert.fail(`${err}: ${landed()}/${DEPLOYMENTS} landed before the kill\n${await diagnose()}`),
  );
  await Promise.all([fleet.controllerManager!.stop('SIGKILL'), fleet.scheduler!.stop('SIGKILL')]);
  const landedAtKill = landed();
  const killedAt = Date.now();
  fleet.startScheduler();
  fleet.startControllerManager();
  await creating;
  assert.deepEqual(failed, []);
  assert.ok(landedAtKill < DEPLOYMENTS, `the kill came after all ${DEPLOYMENTS} had landed: nothing was in flight`);

  // Converged: every Deployment in both members with one replica, and READY 2/2 on the control plane.
  let notReady: string[] = [];
  await until(
    'every Deployment in both members and READY 2/2',
    async () => {
      if (landed() < DEPLOYMENTS) return false;
      const live = await fleet.listAll<any>(`/apis/apps/v1/namespaces/${NS}/deployments`);
      notReady = live.filter((d) => d.status?.readyReplicas !== 2 || d.status?.replicas !== 2).map((d) => d.metadata.name);
      return notReady.length === 0;
    },
    180_000,
    500,
  ).catch(async (err) => assert.fail(`${err}: ${landed()}/${DEPLOYMENTS} landed (${landedAtKill} at the kill); not READY 2/2: ${notReady.slice(0, 10).join(', ')}\n${await diagnose()}`));

  t.diagnostic(`killed after ${((killedAt - t0) / 1000).toFixed(1)} s with ${landedAtKill}/${DEPLOYMENTS} landed; converged ${((Date.now() - killedAt) / 1000).toFixed(1)} s later`);

  // One binding per template; exactly one Work per binding per cluster, under Karmada's name, and none elsewhere.
  const bindings = await fleet.listAll<any>(`/apis/work.karmada.io/v1alpha2/namespaces/${NS}/resourcebindings`);
  assert.deepEqual(bindings.map((b) => b.metadata.name).sort(), templates.map((t) => `${t}-deployment`).sort());
  for (const b of bindings) assert.deepEqual(b.spec.clusters?.map((c: any) => `${c.name}=${c.replicas}`).sort(), ['member1=1', 'member2=1'], b.metadata.name);
  const works = (await fleet.listAll<any>('/apis/work.karmada.io/v1alpha1/works')).filter((w) => w.metadata.annotations?.[RB_NAMESPACE_ANNOTATION] === NS);
  const perBindingCluster = new Map<string, string[]>();
  for (const w of works) {
    const key = `${w.metadata.annotations[RB_NAME_ANNOTATION]}|${w.metadata.namespace}`;
    perBindingCluster.set(key, [...(perBindingCluster.get(key) ?? []), w.metadata.name]);
  }
  const duplicates = [...perBindingCluster].filter(([, names]) => names.length > 1);
  assert.deepEqual(duplicates, [], 'more than one Work for a binding in a cluster');
  const want = templates.flatMap((t) => MEMBERS.map((m) => `${t}-deployment|karmada-es-${m}|${generateWorkName('Deployment', t, NS)}`)).sort();
  assert.deepEqual([...perBindingCluster].map(([key, [name]]) => `${key}|${name}`).sort(), want);

  // No orphans: every Deployment in a member has its template, and there is no other.
  for (const m of MEMBERS) {
    const inMember = await fleet.listAll<any>(`/apis/apps/v1/namespaces/${NS}/deployments`, m);
    assert.deepEqual(inMember.map((d) => d.metadata.name).sort(), [...templates].sort(), `${m}'s Deployments`);
    for (const d of inMember) assert.equal(d.spec.replicas, 1, `${m}/${d.metadata.name}`);
  }
});

test('every binding carries the Scheduled=True condition after the crash', async () => {
  const bindings = await fleet.listAll<any>(`/apis/work.karmada.io/v1alpha2/namespaces/${NS}/resourcebindings`);
  const missing = bindings.filter((b) => !b.status?.conditions?.some((c: any) => c.type === 'Scheduled' && c.status === 'True')).map((b) => b.metadata.name);
  assert.deepEqual(missing, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDemand, allocate, milliValue, podRequests, totalAllocatable, type Demand } from './simulator-capacity.js';

test('milliValue reads resource quantities in thousandths', () => {
  const cases: [unknown, number | undefined][] = [
    ['500m', 500],
    ['1', 1000],
    ['0.1', 100],
    ['1.5', 1500],
    [2, 2000],
    ['1k', 1_000_000],
    ['1Ki', 1_024_000],
    ['32Gi', 32 * 2 ** 30 * 1000],
    ['1e3', 1_000_000],
    ['110', 110_000],
    ['', undefined],
    ['12 cores', undefined],
    [undefined, undefined],
  ];
  for (const [q, want] of cases) assert.equal(milliValue(q), want, String(q));
});

test('podRequests adds up containers, takes the largest init container when larger, defaults requests from limits', () => {
  const spec = {
    initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2' } } }],
    containers: [
      { name: 'app', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
      { name: 'sidecar', resources: { limits: { cpu: '250m', memory: '128Mi' } } },
      { name: 'bare' },
    ],
  };
  assert.deepEqual(
    Object.fromEntries(podRequests(spec)),
    { cpu: 2000, memory: (2 ** 30 + 128 * 2 ** 20) * 1000, pods: 1000 },
  );
  assert.deepEqual(Object.fromEntries(podRequests(undefined)), { pods: 1000 });
});

const demand = (key: string, created: string, desired: number, running: number, cpu: number): Demand => ({
  key,
  created,
  desired,
  running,
  perPod: new Map([['cpu', cpu], ['pods', 1000]]),
});

test('allocate serves older workloads first but never takes ready pods away', () => {
  const total = totalAllocatable([
    { status: { allocatable: { cpu: '1', pods: '10' } } },
    { status: { allocatable: { cpu: '1', pods: '10' } } },
  ]);
  assert.deepEqual(Object.fromEntries(total), { cpu: 2000, pods: 20_000 });
  // Nothing runs yet: creation order decides (ties by key).
  const fresh = allocate(total, [
    demand('c', '2026-01-01T00:00:02Z', 4, 0, 500),
    demand('b', '2026-01-01T00:00:01Z', 3, 0, 500),
    demand('a', '2026-01-01T00:00:02Z', 1, 0, 500),
  ]);
  assert.deepEqual(Object.fromEntries(fresh.placed), { b: 3, a: 1, c: 0 });
  // The older b scales up while c already runs two pods: c keeps them, b gets what is left.
  const later = allocate(total, [demand('b', '2026-01-01T00:00:01Z', 4, 2, 500), demand('c', '2026-01-01T00:00:02Z', 4, 2, 500)]);
  assert.deepEqual(Object.fromEntries(later.placed), { b: 2, c: 2 });
  // A scale-down releases room at once.
  assert.deepEqual(Object.fromEntries(allocate(total, [demand('b', '2026-01-01T00:00:01Z', 1, 3, 500), demand('c', '2026-01-01T00:00:02Z', 4, 0, 500)]).placed), { b: 1, c: 3 });
});

test('allocate counts pods and only the resources Nodes report; without Nodes nothing runs', () => {
  const total = totalAllocatable([{ status: { allocatable: { cpu: '100', pods: '4' } } }]);
  const gpu: Demand = { key: 'g', created: '', desired: 6, running: 0, perPod: new Map([['nvidia.com/gpu', 1000], ['pods', 1000]]) };
  assert.equal(allocate(total, [gpu]).placed.get('g'), 4);
  assert.equal(allocate(totalAllocatable([]), [gpu]).placed.get('g'), 0);
});

test('addDemand gives a new workload what the next allocation would, without reallocating, however full the member', () => {
  const total = totalAllocatable([{ status: { allocatable: { cpu: '2', pods: '10' } } }]);
  const roomy = [demand('b', '2026-01-01T00:00:01Z', 1, 1, 500), demand('c', '2026-01-01T00:00:02Z', 1, 0, 500)];
  const full = [demand('b', '2026-01-01T00:00:01Z', 3, 1, 500), demand('c', '2026-01-01T00:00:02Z', 2, 0, 500)];
  // c's pods are too large for the 500m b leaves.
  const gap = [demand('b', '2026-01-01T00:00:01Z', 3, 1, 500), demand('c', '2026-01-01T00:00:02Z', 2, 0, 700)];
  const cases: [string, Demand[], Demand, number | undefined][] = [
    ['served last: what is left', full, demand('d', '2026-01-01T00:00:03Z', 4, 0, 500), 0],
    ['served last, same second, later key', roomy, demand('e', '2026-01-01T00:00:02Z', 4, 0, 500), 2],
    ['served earlier, room for all of it', roomy, demand('a', '2026-01-01T00:00:00Z', 2, 0, 500), 2],
    // A fresh allocation would give a the pod c was placed; the simulator's next one keeps c's pod where it is.
    ['served earlier, not room for all of it', roomy, demand('a', '2026-01-01T00:00:00Z', 3, 0, 500), 2],
    ['served earlier while another is short', full, demand('a', '2026-01-01T00:00:00Z', 2, 0, 500), 0],
    ['served earlier, the room a short one leaves', gap, demand('a', '2026-01-01T00:00:00Z', 9, 0, 100), 5],
    ['already running pods', roomy, demand('g', '2026-01-01T00:00:03Z', 2, 1, 500), undefined],
  ];
  for (const [name, first, d, want] of cases) {
    const a = allocate(total, first);
    const before = new Map(a.placed);
    assert.equal(addDemand(a, d), want, name);
    if (want === undefined) {
      assert.deepEqual(a.placed, before, `${name}: left alone`);
      continue;
    }
    // What the simulator computes next: every demand runs what it was placed.
    const again = allocate(total, [...first.map((x) => ({ ...x, running: before.get(x.key)! })), d]);
    assert.deepEqual(a.placed, again.placed, `${name}: placed`);
    assert.deepEqual(a.left, again.left, `${name}: left`);
  }
});

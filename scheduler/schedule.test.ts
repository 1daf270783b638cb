import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition, ResourceBinding, ResourceBindingStatus } from '../openapi/karmada/types.js';
import { FitError, UnschedulableError } from './api.js';
import type { ScheduleOutcome } from './core.js';
import { statusChanges } from './schedule.js';
import { bindingSpec } from './testing.js';

const T0 = '2024-01-01T00:00:00Z';
const NOW = '2024-01-02T00:00:00Z';
const scheduled: Condition = { type: 'Scheduled', status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.', lastTransitionTime: T0 };
const done: ResourceBindingStatus = { conditions: [scheduled], schedulerObservedGeneration: 2, lastScheduledTime: T0 };
const noFit = new FitError(1, new Map([['a', 'cluster(s) did not have the API resource']]));

function binding(status: ResourceBindingStatus, extra: Partial<ResourceBinding['spec']> = {}): ResourceBinding {
  return { metadata: { name: 'b', namespace: 'ns', generation: 2 }, spec: bindingSpec({}, extra), status };
}

const cases: [string, ResourceBindingStatus, ScheduleOutcome, number, boolean, Partial<ResourceBindingStatus> | undefined, Partial<ResourceBinding['spec']>?][] = [
  ['first success', {}, { clusters: [] }, 2, false, { conditions: [{ ...scheduled, lastTransitionTime: NOW }], schedulerObservedGeneration: 2, lastScheduledTime: NOW }],
  ['nothing new: nothing written', done, { clusters: [] }, 2, false, undefined],
  [
    'a result whose status write was refused (409) is written when nothing is left to schedule',
    { schedulerObservedGeneration: 2, lastScheduledTime: T0 },
    { clusters: [] },
    3,
    false,
    { conditions: [{ ...scheduled, lastTransitionTime: NOW }], schedulerObservedGeneration: 3, lastScheduledTime: NOW },
  ],
  ['a new result for the next generation', done, { clusters: [] }, 3, true, { schedulerObservedGeneration: 3, lastScheduledTime: NOW }],
  ['a reschedule asked for is answered even when nothing moves', done, { clusters: [] }, 2, false, { lastScheduledTime: NOW }, { rescheduleTriggeredAt: '2024-01-01T12:00:00Z' }],
  [
    'no cluster fits',
    done,
    { clusters: [], error: noFit },
    2,
    true,
    { conditions: [{ type: 'Scheduled', status: 'False', reason: 'NoClusterFit', message: noFit.message, lastTransitionTime: NOW }] },
  ],
  [
    'too little room',
    done,
    { error: new UnschedulableError('full') },
    2,
    false,
    { conditions: [{ type: 'Scheduled', status: 'False', reason: 'Unschedulable', message: 'full', lastTransitionTime: NOW }] },
  ],
  [
    'another failure; the transition time stays while the status does',
    { conditions: [{ type: 'Scheduled', status: 'False', reason: 'Unschedulable', message: 'full', lastTransitionTime: T0 }] },
    { error: new Error('boom') },
    2,
    false,
    { conditions: [{ type: 'Scheduled', status: 'False', reason: 'SchedulerError', message: 'boom', lastTransitionTime: T0 }] },
  ],
  ['a new affinity term', done, { clusters: [], affinityName: 'backup' }, 2, false, { schedulerObservingAffinityName: 'backup' }],
];

for (const [name, status, outcome, generation, wroteSpec, want, extra] of cases)
  test(`statusChanges: ${name}`, () => {
    assert.deepEqual(statusChanges(binding(status, extra), outcome, generation, wroteSpec, NOW), want);
  });

test('statusChanges keeps the other conditions', () => {
  const other: Condition = { type: 'FullyApplied', status: 'True', reason: 'FullyAppliedSuccess', message: '', lastTransitionTime: T0 };
  const changes = statusChanges(binding({ conditions: [other] }), { clusters: [] }, 2, false, NOW);
  assert.deepEqual(changes?.conditions?.map((c) => c.type), ['FullyApplied', 'Scheduled']);
});

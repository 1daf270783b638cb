import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, rfc3339, timestampSince } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

test('humanDuration follows kube thresholds and mixed units at every boundary', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59 * s, '59s'],
    [119 * s + 999, '119s'],
    [2 * m, '2m'],
    [2 * m + 1 * s, '2m1s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 30 * s, '10m'],
    [3 * h - 1 * s, '179m'],
    [3 * h, '3h'],
    [3 * h + 1 * m, '3h1m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [49 * h, '2d1h'],
    [8 * d - 1 * h, '7d23h'],
    [8 * d, '8d'],
    [2 * y - 1 * h, '729d'],
    [2 * y, '2y'],
    [2 * y + 45 * d, '2y45d'],
    [8 * y - 1 * d, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('timestampSince prints <unknown> for unset, zero and unparseable timestamps', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(timestampSince('2024-05-01T11:57:00Z', now), '3m');
  assert.equal(timestampSince('2024-05-01T11:59:59.500000Z', now), '0s');
  for (const unset of [undefined, null, '', '0001-01-01T00:00:00Z', 'yesterday', 42]) assert.equal(timestampSince(unset, now), '<unknown>');
});

test('rfc3339 prints whole seconds in UTC, and Go zero time when unset', () => {
  assert.equal(rfc3339('2024-05-01T14:00:00.750+02:00'), '2024-05-01T12:00:00Z');
  assert.equal(rfc3339(undefined), '0001-01-01T00:00:00Z');
});

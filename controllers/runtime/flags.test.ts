import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from 'node:util';
import { COMPONENT_FLAGS, componentConfig, normalizeBoolFlags, parseDuration } from './flags.js';

const parse = (args: string[]) => parseArgs({ args: normalizeBoolFlags(args), strict: true, options: COMPONENT_FLAGS }).values;
const defaults = { port: 10357, leaseName: 'flotilla-controller-manager' };

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('3s'), 3000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.throws(() => parseDuration('3'), /invalid duration/);
  assert.throws(() => parseDuration('3 s'), /invalid duration/);
});

test('defaults: leader election on with client-go timings, per-component port and lease name', () => {
  const c = componentConfig('controller-manager', parse(['--kubeconfig', 'k']), defaults);
  assert.equal(c.port, 10357);
  assert.equal(c.bindAddress, '127.0.0.1');
  assert.deepEqual(c.leaderElection, {
    namespace: 'kube-system',
    name: 'flotilla-controller-manager',
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  });
  assert.throws(() => componentConfig('x', parse([]), defaults), /--kubeconfig is required/);
});

test('--leader-elect takes kube’s forms: bare, =true, =false', () => {
  assert.ok(componentConfig('x', parse(['--kubeconfig', 'k', '--leader-elect']), defaults).leaderElection);
  assert.ok(componentConfig('x', parse(['--kubeconfig', 'k', '--leader-elect=true']), defaults).leaderElection);
  assert.equal(componentConfig('x', parse(['--kubeconfig', 'k', '--leader-elect=false']), defaults).leaderElection, undefined);
  assert.throws(() => componentConfig('x', parse(['--kubeconfig', 'k', '--leader-elect=yes']), defaults), /invalid --leader-elect/);
});

test('lease flags', () => {
  const c = componentConfig(
    'x',
    parse(['--kubeconfig', 'k', '--port', '0', '--lease-name', 'l', '--lease-namespace', 'ns', '--lease-duration', '3s', '--renew-deadline', '2s', '--retry-period', '500ms']),
    defaults,
  );
  assert.equal(c.port, 0);
  assert.deepEqual(c.leaderElection, { namespace: 'ns', name: 'l', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
  assert.throws(() => componentConfig('x', parse(['--kubeconfig', 'k', '--port', 'x']), defaults), /invalid --port/);
});

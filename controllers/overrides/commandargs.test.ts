import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandArgsOverrider } from '../../openapi/karmada/types.js';
import { applyArgsOverrider, applyCommandOverrider } from './commandargs.js';
import type { Obj } from './jsonpatch.js';

const pod = (containers: Obj[]): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
const workload = (kind: string, containers: Obj[], initContainers?: Obj[]): Obj => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'w' },
  spec: { template: { spec: { containers, ...(initContainers && { initContainers }) } } },
});

test('commandOverrider adds to and removes from the command of the named container', () => {
  const cases: [string, Obj, CommandArgsOverrider, Obj][] = [
    [
      'add appends',
      pod([{ name: 'app', command: ['run'] }, { name: 'other', command: ['x'] }]),
      { containerName: 'app', operator: 'add', value: ['--v=2', '--debug'] },
      pod([{ name: 'app', command: ['run', '--v=2', '--debug'] }, { name: 'other', command: ['x'] }]),
    ],
    [
      'add creates a missing command',
      workload('Deployment', [{ name: 'app' }]),
      { containerName: 'app', operator: 'add', value: ['run'] },
      workload('Deployment', [{ name: 'app', command: ['run'] }]),
    ],
    [
      'remove drops every occurrence',
      workload('StatefulSet', [{ name: 'app', command: ['run', '-v', 'x', '-v'] }]),
      { containerName: 'app', operator: 'remove', value: ['-v'] },
      workload('StatefulSet', [{ name: 'app', command: ['run', 'x'] }]),
    ],
    [
      'remove on a missing command leaves an empty one, as in Karmada',
      workload('Job', [{ name: 'app' }]),
      { containerName: 'app', operator: 'remove', value: ['-v'] },
      workload('Job', [{ name: 'app', command: [] }]),
    ],
    [
      'init containers and other containers are not touched',
      workload('DaemonSet', [{ name: 'app', command: ['a'] }], [{ name: 'app', command: ['i'] }]),
      { containerName: 'nope', operator: 'add', value: ['b'] },
      workload('DaemonSet', [{ name: 'app', command: ['a'] }], [{ name: 'app', command: ['i'] }]),
    ],
    [
      'unknown kinds are left alone',
      { kind: 'CronJob', spec: { containers: [{ name: 'app' }] } },
      { containerName: 'app', operator: 'add', value: ['b'] },
      { kind: 'CronJob', spec: { containers: [{ name: 'app' }] } },
    ],
  ];
  for (const [name, obj, o, want] of cases) assert.deepEqual(applyCommandOverrider(obj, o), want, name);
});

test('argsOverrider works on args the same way', () => {
  const obj = workload('ReplicaSet', [{ name: 'app', command: ['run'], args: ['--a'] }]);
  assert.deepEqual(applyArgsOverrider(obj, { containerName: 'app', operator: 'add', value: ['--b'] }), workload('ReplicaSet', [{ name: 'app', command: ['run'], args: ['--a', '--b'] }]));
  assert.deepEqual(applyArgsOverrider(obj, { containerName: 'app', operator: 'remove', value: ['--a'] }), workload('ReplicaSet', [{ name: 'app', command: ['run'], args: [] }]));
});

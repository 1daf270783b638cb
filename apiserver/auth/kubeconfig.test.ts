import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('client certificate kubeconfig embeds everything and selects its context', () => {
  const config = parse(
    kubeconfigYaml({
      server: 'https://127.0.0.1:6443',
      caPem: 'CA PEM',
      user: 'admin',
      clientCertPem: 'CERT PEM',
      clientKeyPem: 'KEY PEM',
    }),
  );
  assert.deepEqual(config, {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'flotilla', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM') } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64('CERT PEM'), 'client-key-data': b64('KEY PEM') } }],
    contexts: [{ name: 'flotilla', context: { cluster: 'flotilla', user: 'admin' } }],
    'current-context': 'flotilla',
    preferences: {},
  });
});

test('token kubeconfig with a custom name', () => {
  const config = parse(kubeconfigYaml({ server: 'https://h:1', caPem: 'CA', user: 'bot', token: 's3cret', name: 'fleet' }));
  assert.deepEqual(config.users, [{ name: 'bot', user: { token: 's3cret' } }]);
  assert.equal(config.clusters[0].name, 'fleet');
  assert.deepEqual(config.contexts, [{ name: 'fleet', context: { cluster: 'fleet', user: 'bot' } }]);
  assert.equal(config['current-context'], 'fleet');
});

test('writeKubeconfig creates parent directories and leaves the file owner-only, even over an existing one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'config');
  const opts = { server: 'https://h:1', caPem: 'CA', user: 'bot', token: 't' };
  await writeKubeconfig(path, opts);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(await readFile(path, 'utf8'), kubeconfigYaml(opts));

  await chmod(path, 0o644);
  await writeKubeconfig(path, { ...opts, token: 'u' });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(parse(await readFile(path, 'utf8')).users[0].user.token, 'u');
});

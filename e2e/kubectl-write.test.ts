// kubectl's write commands end to end: apply (client-side, strategic merge patch), edit, replace, set, rollout
// restart, annotate --overwrite, diff and apply --prune, with every kubectl version on the machine.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { APIServerProcess, kubectl, kubectlBinaries, type KubectlResult } from './harness.js';

const binaries = kubectlBinaries();
let server: APIServerProcess;
let files: string;

before(async () => {
  server = await APIServerProcess.start();
  files = await mkdtemp(join(tmpdir(), 'flotilla-manifests-'));
});
after(async () => {
  await server?.destroy();
  await rm(files, { recursive: true, force: true });
});

function ok(r: KubectlResult): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function deployment(ns: string, webImage: string, env: Record<string, string>): string {
  const envYaml = Object.entries(env).map(([k, v]) => `        - name: ${k}\n          value: "${v}"`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${webImage}
        env:
${envYaml}
      - name: sidecar
        image: busybox:1.36
`;
}

if (binaries.length === 0) test('kubectl write commands', (t) => t.skip('kubectl not found at /usr/bin/kubectl: kubectl tests skipped'));

for (const { version, path } of binaries) {
  describe(`kubectl ${version} write commands`, () => {
    const ns = `write-${version.replace('.', '-')}`;
    const k = (...args: string[]) => kubectl(path, server.kubeconfig, args);
    const kn = (...args: string[]) => kubectl(path, server.kubeconfig, ['-n', ns, ...args]);
    const get = async () => JSON.parse(ok(await kn('get', 'deploy', 'web', '-o', 'json')));
    const file = (name: string) => join(files, `${ns}-${name}`);

    test('apply creates, re-applies unchanged, and updates by strategic merge', async () => {
      ok(await k('create', 'namespace', ns));
      await writeFile(file('web.yaml'), deployment(ns, 'nginx:1.25', { A: '1', B: '2' }));
      assert.match(ok(await k('apply', '-f', file('web.yaml'))), /deployment.apps\/web created/);
      assert.match(ok(await k('apply', '-f', file('web.yaml'))), /deployment.apps\/web unchanged/);
      // Fields set by others: an annotation and the sidecar's resources.
      ok(await kn('annotate', 'deploy', 'web', 'owner=team-a'));
      ok(await kn('patch', 'deploy', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","resources":{"limits":{"cpu":"100m"}}}]}}}}'));
      await writeFile(file('web.yaml'), deployment(ns, 'nginx:1.26', { A: '1' }));
      assert.match(ok(await k('apply', '-f', file('web.yaml'))), /deployment.apps\/web configured/);
      const d = await get();
      const [web, sidecar] = d.spec.template.spec.containers;
      assert.equal(web.image, 'nginx:1.26');
      assert.deepEqual(web.env, [{ name: 'A', value: '1' }], 'the removed env var is gone');
      assert.equal(sidecar.image, 'busybox:1.36');
      assert.deepEqual(sidecar.resources, { limits: { cpu: '100m' } }, 'fields set by others survive');
      assert.equal(d.metadata.annotations.owner, 'team-a');
    });

    test('set image, set env, annotate --overwrite and rollout restart', async () => {
      ok(await kn('set', 'image', 'deploy/web', 'sidecar=busybox:1.37'));
      ok(await kn('set', 'env', 'deploy/web', '-c', 'web', 'MODE=fast'));
      ok(await kn('annotate', '--overwrite', 'deploy', 'web', 'owner=team-b'));
      assert.notEqual((await kn('annotate', 'deploy', 'web', 'owner=team-c')).code, 0, 'annotate without --overwrite refuses');
      ok(await kn('rollout', 'restart', 'deploy/web'));
      const d = await get();
      const [web, sidecar] = d.spec.template.spec.containers;
      assert.equal(sidecar.image, 'busybox:1.37');
      assert.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'MODE', value: 'fast' }]);
      assert.equal(d.metadata.annotations.owner, 'team-b');
      assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    });

    test('edit with KUBE_EDITOR and replace', async () => {
      const edit = await kubectl(path, server.kubeconfig, ['-n', ns, 'edit', 'deploy', 'web'], { env: { KUBE_EDITOR: 'sed -i s/nginx:1.26/nginx:1.27/' } });
      assert.equal(edit.code, 0, edit.stderr);
      assert.equal((await get()).spec.template.spec.containers[0].image, 'nginx:1.27');
      const live = await get();
      live.spec.replicas = 5;
      await writeFile(file('replace.json'), JSON.stringify(live));
      assert.match(ok(await k('replace', '-f', file('replace.json'))), /deployment.apps\/web replaced/);
      assert.equal((await get()).spec.replicas, 5);
      // kubectl sends the object with its keys sorted, which is still the stored object: nothing is written. (Not the
      // Deployment: replace rewrites its last-applied annotation, a real change.)
      ok(await kn('create', 'configmap', 'plain', '--from-literal=a=1', '--from-literal=b=2'));
      const plain = async () => JSON.parse(ok(await kn('get', 'configmap', 'plain', '-o', 'json', '--show-managed-fields')));
      const before = await plain();
      await writeFile(file('plain.json'), ok(await kn('get', 'configmap', 'plain', '-o', 'json')));
      assert.match(ok(await k('replace', '-f', file('plain.json'))), /configmap\/plain replaced/);
      assert.deepEqual(await plain(), before, 'same resourceVersion and managedFields');
    });

    test('diff shows what apply would change, using server dry-run', async () => {
      const before = (await get()).metadata.resourceVersion;
      const diff = await k('diff', '-f', file('web.yaml'));
      assert.equal(diff.code, 1, `diff exits 1 when there are differences: ${diff.stderr}`);
      assert.match(diff.stdout, /^-\s+image: nginx:1\.27$/m);
      assert.match(diff.stdout, /^\+\s+image: nginx:1\.26$/m);
      assert.equal((await get()).metadata.resourceVersion, before, 'diff wrote nothing');
    });

    test('server-side apply: migration from client-side apply, conflicts, --force-conflicts, managedFields', async () => {
      // The Deployment was applied client-side above: kubectl migrates its ownership to the server-side manager.
      await writeFile(file('web.yaml'), deployment(ns, 'nginx:1.28', { A: '1' }));
      assert.match(ok(await k('apply', '--server-side', '-f', file('web.yaml'))), /deployment.apps\/web serverside-applied/);
      let d = JSON.parse(ok(await kn('get', 'deploy', 'web', '-o', 'json', '--show-managed-fields')));
      const managers = d.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`);
      assert.ok(managers.includes('kubectl/Apply'), managers.join(' '));
      // kubectl moves what the client-side manager applied to its server-side manager (it keeps the entry only
      // for fields others changed since).
      const csa = d.metadata.managedFields.find((m: any) => m.manager === 'kubectl-client-side-apply');
      assert.equal(csa?.fieldsV1?.['f:spec']?.['f:template']?.['f:spec']?.['f:containers']?.['k:{"name":"web"}']?.['f:image'], undefined, 'the image moved to kubectl');
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.28');

      await writeFile(file('other.yaml'), deployment(ns, 'nginx:1.29', { A: '1' }));
      const conflict = await k('apply', '--server-side', '--field-manager=other', '-f', file('other.yaml'));
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict with "kubectl"/);
      assert.match(conflict.stderr, /\.spec\.template\.spec\.containers\[name="web"\]\.image/);
      ok(await k('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', file('other.yaml')));
      d = JSON.parse(ok(await kn('get', 'deploy', 'web', '-o', 'json', '--show-managed-fields')));
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.29');
      const other = d.metadata.managedFields.find((m: any) => m.manager === 'other');
      assert.equal(other.operation, 'Apply');
      assert.equal(other.fieldsType, 'FieldsV1');
      assert.ok(other.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:image']);
      const yaml = ok(await kn('get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields'));
      assert.match(yaml, /^ {2}managedFields:$/m);
    });

    test('apply --prune removes objects no longer in the manifests', async () => {
      const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels: {set: pruned}\ndata: {k: v}\n`;
      await writeFile(file('set.yaml'), `${cm('one')}---\n${cm('two')}`);
      ok(await k('apply', '-f', file('set.yaml'), '-l', 'set=pruned', '--prune'));
      await writeFile(file('set.yaml'), cm('one'));
      const out = ok(await k('apply', '-f', file('set.yaml'), '-l', 'set=pruned', '--prune'));
      assert.match(out, /configmap\/two pruned/);
      assert.notEqual((await kn('get', 'cm', 'two')).code, 0);
      ok(await kn('get', 'cm', 'one'));
    });
  });
}

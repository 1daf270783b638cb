// kubectl end to end against a real `flotilla apiserver` process, with every kubectl version on the machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { APIServerProcess, kubectl, kubectlBinaries, type KubectlResult } from './harness.js';

const binaries = kubectlBinaries();
let server: APIServerProcess;

before(async () => {
  server = await APIServerProcess.start();
});
after(async () => {
  await server?.destroy();
});

function ok(r: KubectlResult): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

if (binaries.length === 0) test('kubectl end to end', (t) => t.skip('kubectl not found at /usr/bin/kubectl: kubectl tests skipped'));

for (const { version, path } of binaries) {
  describe(`kubectl ${version}`, () => {
    const ns = `e2e-${version.replace('.', '-')}`;
    const k = (...args: string[]) => kubectl(path, server.kubeconfig, args);
    const kn = (...args: string[]) => kubectl(path, server.kubeconfig, ['-n', ns, ...args]);

    test('namespaces, configmaps, secrets and services', async () => {
      assert.match(ok(await k('create', 'namespace', ns)), new RegExp(`namespace/${ns} created`));
      assert.match(ok(await k('get', 'ns')), new RegExp(`^${ns}\\s+Active\\s+\\d+s`, 'm'));
      ok(await kn('create', 'configmap', 'app-config', '--from-literal=color=blue', '--from-literal=size=10'));
      const cm = JSON.parse(ok(await kn('get', 'cm', 'app-config', '-o', 'json')));
      assert.deepEqual(cm.data, { color: 'blue', size: '10' });
      ok(await kn('create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret'));
      assert.equal(Buffer.from(ok(await kn('get', 'secret', 'creds', '-o', 'jsonpath={.data.password}')), 'base64').toString(), 's3cret');
      assert.match(ok(await kn('get', 'secrets')), /^creds\s+Opaque\s+1\s+\d+s/m);
      ok(await kn('create', 'service', 'clusterip', 'web', '--tcp=80:8080'));
      assert.match(ok(await kn('get', 'svc', 'web')), /^web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s/m);
      assert.match(ok(await kn('delete', 'secret', 'creds')), /secret "creds" deleted/);
      assert.notEqual((await kn('get', 'secret', 'creds')).code, 0);
    });

    test('deployments print kube columns', async () => {
      ok(await kn('create', 'deployment', 'web', '--image=nginx', '--replicas=2'));
      const out = ok(await kn('get', 'deploy'));
      assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      assert.match(out, /^web\s+0\/2\s+0\s+0\s+\d+s$/m);
      const wide = ok(await kn('get', 'deploy', '-o', 'wide'));
      assert.match(wide, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
      assert.match(wide, /^web\s+0\/2\s+0\s+0\s+\d+s\s+nginx\s+nginx\s+app=web$/m);
    });

    test('scale through the scale subresource', async () => {
      assert.match(ok(await kn('scale', 'deploy', 'web', '--replicas=4')), /deployment.apps\/web scaled/);
      const d = JSON.parse(ok(await kn('get', 'deploy', 'web', '-o', 'json')));
      assert.equal(d.spec.replicas, 4);
      assert.equal(d.metadata.generation, 2);
      const scale = JSON.parse(ok(await k('get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`)));
      assert.deepEqual(scale.spec, { replicas: 4 });
      assert.equal(scale.status.selector, 'app=web');
      assert.notEqual((await kn('scale', 'deploy', 'web', '--replicas=2', '--resource-version=1')).code, 0, 'a stale resourceVersion conflicts');
    });

    test('output formats, selectors and chunking', async () => {
      for (let i = 0; i < 5; i++) ok(await kn('create', 'configmap', `chunk-${i}`, `--from-literal=i=${i}`));
      ok(await kn('label', 'cm', 'chunk-1', 'chunk-3', 'tier=odd'));
      const yaml = ok(await kn('get', 'cm', 'chunk-0', '-o', 'yaml'));
      assert.match(yaml, /^kind: ConfigMap$/m);
      assert.match(yaml, /^ {2}i: "0"$/m);
      assert.equal(ok(await kn('get', 'cm', '-l', 'tier=odd', '-o', 'jsonpath={.items[*].metadata.name}')), 'chunk-1 chunk-3');
      assert.equal(ok(await kn('get', 'cm', '--field-selector', 'metadata.name=chunk-2', '-o', 'name')).trim(), 'configmap/chunk-2');
      const chunked = ok(await kn('get', 'cm', '--chunk-size=1', '-o', 'name')).trim().split('\n');
      const whole = ok(await kn('get', 'cm', '-o', 'name')).trim().split('\n');
      assert.deepEqual(chunked, whole);
      assert.ok(whole.length >= 6);
      const all = ok(await k('get', 'cm', '-A'));
      assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
      assert.match(all, new RegExp(`^${ns}\\s+chunk-4\\s+1\\s+\\d+s$`, 'm'));
    });

    test('get -w sees ADDED and MODIFIED while another process writes', async () => {
      const watch = spawn(path, ['-n', ns, 'get', 'cm', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: server.kubeconfig } });
      let out = '';
      watch.stdout.on('data', (d) => (out += d));
      watch.stderr.on('data', (d) => (out += d));
      try {
        await waitFor('watch to list', async () => (out.includes('chunk-0') ? true : undefined));
        ok(await kn('create', 'configmap', 'watched', '--from-literal=v=1'));
        await waitFor('ADDED line', async () => (/ADDED\s+watched/.test(out) ? true : undefined));
        ok(await kn('patch', 'cm', 'watched', '--type=merge', '-p', '{"data":{"v":"2"}}'));
        await waitFor('MODIFIED line', async () => (/MODIFIED\s+watched/.test(out) ? true : undefined));
      } finally {
        watch.kill();
      }
    });

    test('label, annotate and patch', async () => {
      ok(await kn('label', 'cm', 'app-config', 'team=blue'));
      ok(await kn('annotate', 'cm', 'app-config', 'note=hello'));
      ok(await kn('patch', 'cm', 'app-config', '--type=merge', '-p', '{"data":{"size":"20"}}'));
      ok(await kn('patch', 'cm', 'app-config', '--type=json', '-p', '[{"op":"add","path":"/data/shape","value":"round"}]'));
      const cm = JSON.parse(ok(await kn('get', 'cm', 'app-config', '-o', 'json')));
      assert.equal(cm.metadata.labels.team, 'blue');
      assert.equal(cm.metadata.annotations.note, 'hello');
      assert.deepEqual(cm.data, { color: 'blue', size: '20', shape: 'round' });
      ok(await kn('label', 'cm', 'app-config', 'team-'));
      const after = JSON.parse(ok(await kn('get', 'cm', 'app-config', '-o', 'json')));
      assert.equal(after.metadata.labels?.team, undefined);
    });

    test('strict field validation: unknown field fails, --validate=warn warns', async () => {
      const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: strict
spec:
  replicas: 1
  selector:
    matchLabels: {app: strict}
  template:
    metadata:
      labels: {app: strict}
    spec:
      containers:
      - name: c
        image: nginx
        imagePullPolicyy: Always
`;
      const strict = await kubectl(path, server.kubeconfig, ['-n', ns, 'create', '-f', '-'], { input: manifest });
      assert.notEqual(strict.code, 0);
      assert.match(strict.stderr, /strict decoding error: unknown field "spec.template.spec.containers\[0\].imagePullPolicyy"/);
      const warn = await kubectl(path, server.kubeconfig, ['-n', ns, 'create', '--validate=warn', '-f', '-'], { input: manifest });
      assert.equal(warn.code, 0, warn.stderr);
      assert.match(warn.stderr, /Warning: unknown field "spec.template.spec.containers\[0\].imagePullPolicyy"/);
    });

    test('delete deploy returns and the object is gone', async () => {
      assert.match(ok(await kn('delete', 'deploy', 'web')), /deployment.apps "web" deleted/);
      const r = await kn('get', 'deploy', 'web');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /NotFound|not found/);
    });

    test('api-resources and raw readyz', async () => {
      const out = ok(await k('api-resources'));
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(out, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
      assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      assert.match(out, /^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false\s+CustomResourceDefinition$/m);
      assert.equal(ok(await k('get', '--raw', '/readyz')).trim(), 'ok');
    });

    test('delete ns removes its contents', async () => {
      assert.match(ok(await k('delete', 'ns', ns)), new RegExp(`namespace "${ns}" deleted`));
      assert.notEqual((await k('get', 'ns', ns)).code, 0);
      const left = await server.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
      assert.deepEqual(left.json().items, []);
    });
  });
}

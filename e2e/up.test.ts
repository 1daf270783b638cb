// `flotilla up`: starts the control plane as child processes, prints the kubeconfig, restarts a child that dies and
// stops its children on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, freePort, kubectl, KUBECTL_DEFAULT, tempDir } from './harness.js';
import { existsSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function apiserverPids(logFile: string): Promise<number[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const pids = new Set<number>();
  for (const line of text.split('\n')) if (line.includes('apiserver listening')) pids.add(JSON.parse(line).pid);
  return [...pids];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('flotilla up runs the apiserver, scheduler and controller-manager, restarts a dead child and stops them all', async () => {
  const dir = await tempDir();
  const port = await freePort();
  const up = spawn(process.execPath, [CLI, 'up', '--data-dir', dir, '--port', String(port), '--scheduler-port', '0', '--controller-manager-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout.on('data', (d) => (out += d));
  up.stderr.on('data', (d) => (out += d));
  const logFile = join(dir, 'logs', 'apiserver.log');
  try {
    await until('the kubeconfig line', async () => (out.includes('export KUBECONFIG=') ? true : undefined));
    const kubeconfig = join(dir, 'admin.kubeconfig');
    assert.ok(out.includes(`export KUBECONFIG=${kubeconfig}`), out);
    if (existsSync(KUBECTL_DEFAULT)) {
      const r = await kubectl(KUBECTL_DEFAULT, kubeconfig, ['get', 'ns', 'default', '-o', 'name']);
      assert.equal(r.stdout.trim(), 'namespace/default', r.stderr);
    }
    for (const component of ['scheduler', 'controller-manager'])
      await until(`${component} to start`, async () => ((await readFile(join(dir, 'logs', `${component}.log`), 'utf8').catch(() => '')).includes(`${component} started`) ? true : undefined));
    const [first] = await until('the apiserver pid', async () => (await apiserverPids(logFile))[0] ? apiserverPids(logFile) : undefined);
    process.kill(first, 'SIGKILL');
    const second = await until('a restarted apiserver', async () => (await apiserverPids(logFile)).find((p) => p !== first));
    assert.ok(alive(second));
    up.kill('SIGTERM');
    await new Promise((r) => up.once('exit', r));
    await until('the child to stop', async () => (alive(second) ? undefined : true), 15_000);
  } finally {
    up.kill('SIGKILL');
    for (const pid of await apiserverPids(logFile)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

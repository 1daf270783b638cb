// `flotilla up`: the control plane (apiserver, scheduler, controller-manager) as supervised child processes on the
// embedded store; with --demo-members, also simulated member clusters, joined.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinCluster } from './join.js';
import { onShutdown } from './signals.js';
import { Supervisor } from './supervisor.js';

export async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'data-dir': { type: 'string', default: '.flotilla' },
      port: { type: 'string', default: '6443' },
      'scheduler-port': { type: 'string', default: '10351' },
      'controller-manager-port': { type: 'string', default: '10357' },
      'demo-members': { type: 'string', default: '0' },
      'members-port': { type: 'string', default: '7443' },
    },
  });
  const dataDir = resolve(values['data-dir']!);
  const port = values.port!;
  const demoMembers = Number(values['demo-members']);
  const supervisor = new Supervisor(join(dataDir, 'logs'));
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  const lines = ['Flotilla control plane is running (Ctrl-C stops it).'];
  try {
    await supervisor.start({ name: 'apiserver', args: ['apiserver', '--data-dir', dataDir, '--port', port] });
    await waitReady(dataDir, `/readyz`, Number(port), 60_000);
    lines.push(`  apiserver           https://127.0.0.1:${port}   logs: ${supervisor.logFile('apiserver')}`);
    for (const [name, flagPort] of [
      ['scheduler', values['scheduler-port']!],
      ['controller-manager', values['controller-manager-port']!],
    ]) {
      await supervisor.start({ name, args: [name, '--kubeconfig', kubeconfig, '--port', flagPort] });
      lines.push(`  ${name.padEnd(19)} logs: ${supervisor.logFile(name)}`);
    }
    if (demoMembers > 0) {
      const membersDir = join(dataDir, 'members');
      const membersPort = values['members-port']!;
      await supervisor.start({ name: 'members', args: ['members', '--count', String(demoMembers), '--data-dir', membersDir, '--port', membersPort, '--regions', 'region-a,region-b'] });
      for (let k = 1; k <= demoMembers; k++) {
        const memberKubeconfig = join(membersDir, `member${k}`, 'admin.kubeconfig');
        await waitFor(`member${k}`, async () => existsSync(memberKubeconfig), 60_000);
        await joinCluster({ name: `member${k}`, clusterKubeconfig: memberKubeconfig, kubeconfig, region: k % 2 ? 'region-a' : 'region-b' });
        lines.push(`  member${k}             joined; kubeconfig ${memberKubeconfig}`);
      }
    }
  } catch (err) {
    await supervisor.stop();
    throw new Error(`${(err as Error).message}; see the logs in ${join(dataDir, 'logs')}`);
  }
  lines.push(`  kubeconfig          ${kubeconfig}`, '', 'Point kubectl at it:', `  export KUBECONFIG=${kubeconfig}`, '  kubectl get namespaces', '');
  process.stdout.write(lines.join('\n'));
  await onShutdown(() => supervisor.stop());
  return 0;
}

async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function waitReady(dataDir: string, path: string, port: number, timeoutMs: number): Promise<void> {
  return waitFor('apiserver', async () => readyz(port, path, await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8')), timeoutMs);
}

function readyz(port: number, path: string, ca: string): Promise<boolean> {
  return new Promise((resolveReady) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', timeout: 2000 }, (res) => {
      res.resume();
      resolveReady(res.statusCode === 200);
    });
    req.on('error', () => resolveReady(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

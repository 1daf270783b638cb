// `flotilla up`: the control plane as supervised child processes, on the embedded store.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { onShutdown } from './signals.js';
import { Supervisor } from './supervisor.js';

export async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
    'data-dir': { type: 'string', default: '.flotilla' },
    port: { type: 'string', default: '6443' },
    },
  });
  const dataDir = resolve(values['data-dir']!);
  const port = values.port!;
  const supervisor = new Supervisor(join(dataDir, 'logs'));
  await supervisor.start({ name: 'apiserver', args: ['apiserver', '--data-dir', dataDir, '--port', port] });
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  try {
    await waitReady(dataDir, Number(port), 60_000);
  } catch (err) {
    await supervisor.stop();
    throw new Error(`${(err as Error).message}; see ${supervisor.logFile('apiserver')}`);
  }
  process.stdout.write(
    [
      'Flotilla control plane is running (Ctrl-C stops it).',
      `  apiserver   https://127.0.0.1:${port}   logs: ${supervisor.logFile('apiserver')}`,
      `  kubeconfig  ${kubeconfig}`,
      '',
      'Point kubectl at it:',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl get namespaces',
      '',
    ].join('\n'),
  );
  await onShutdown(() => supervisor.stop());
  return 0;
}

async function waitReady(dataDir: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
      if (await readyz(port, ca)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`apiserver not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readyz(port: number, ca: string): Promise<boolean> {
  return new Promise((resolveReady) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, servername: 'localhost', timeout: 2000 }, (res) => {
      res.resume();
      resolveReady(res.statusCode === 200);
    });
    req.on('error', () => resolveReady(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

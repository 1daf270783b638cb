// `flotilla apiserver`: runs the apiserver in this process until SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { startAPIServer } from '../apiserver/apiserver.js';
import { parseArgs } from 'node:util';
import { onShutdown } from './signals.js';

export async function runAPIServer(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '6443' },
    'bind-address': { type: 'string', default: '127.0.0.1' },
    'log-level': { type: 'string', default: 'info' },
    'tls-san': { type: 'string', multiple: true },
    'token-auth-file': { type: 'string' },
    'watch-bookmark-interval': { type: 'string', default: '30s' },
    },
  });
  if (!values['data-dir']) throw new Error('--data-dir is required');
  const server = await startAPIServer({
    dataDir: resolve(values['data-dir']),
    port: Number(values.port),
    bindAddress: values['bind-address'],
    logLevel: values['log-level'],
    extraSANs: values['tls-san'],
    tokenAuthFile: values['token-auth-file'],
    bookmarkIntervalMs: parseDuration(values['watch-bookmark-interval']!),
  });
  await onShutdown(() => server.close());
  return 0;
}

export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}"`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

// `flotilla member` (one simulated member cluster at the root) and `flotilla members` (N of them in one process).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startMembers, type MemberSpec } from '../apiserver/member/host.js';
import { parseDuration } from './apiserver.js';
import { onShutdown } from './signals.js';

const COMMON = {
  'data-dir': { type: 'string' },
  port: { type: 'string', default: '7443' },
  'bind-address': { type: 'string', default: '127.0.0.1' },
  'log-level': { type: 'string', default: 'info' },
  nodes: { type: 'string', default: '3' },
  labels: { type: 'string', default: '' },
  regions: { type: 'string', default: '' },
  zones: { type: 'string', default: '' },
  capacity: { type: 'string', default: '8:32Gi:110' },
  'ready-delay': { type: 'string', default: '200ms' },
  'record-workload-changes': { type: 'boolean', default: false },
} as const;

type Values = { [K in Exclude<keyof typeof COMMON, 'record-workload-changes'>]?: string } & { 'record-workload-changes'?: boolean };

/** `a,b,c` picked round-robin for member k (0-based); empty lists give undefined. */
function roundRobin(list: string, k: number): string | undefined {
  const items = list.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items[k % items.length] : undefined;
}

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${pair}": want key=value`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

function memberSpec(name: string, k: number, v: Values): MemberSpec {
  const [cpu, memory, pods = '110'] = (roundRobin(v.capacity!, k) ?? '8:32Gi:110').split(':');
  const region = roundRobin(v.regions!, k);
  const zone = roundRobin(v.zones!, k);
  return {
    name,
    simulator: {
      nodes: Number(v.nodes),
      capacity: { cpu, memory, pods },
      labels: {
        ...parseLabels(v.labels!),
        ...(region ? { 'topology.kubernetes.io/region': region } : {}),
        ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}),
      },
      delayMs: parseDuration(v['ready-delay']!),
    },
  };
}

async function run(values: Values, specs: MemberSpec[], root: boolean): Promise<number> {
  if (!values['data-dir']) throw new Error('--data-dir is required');
  const logger = pino({ level: values['log-level'] });
  const running = await startMembers({
    dataDir: resolve(values['data-dir']),
    port: Number(values.port),
    bindAddress: values['bind-address'],
    members: specs,
    root,
    logger,
    recordWorkloadChanges: values['record-workload-changes'],
  });
  for (const [name, kubeconfig] of running.kubeconfigs) process.stdout.write(`${name}\t${kubeconfig}\n`);
  await onShutdown(() => running.close());
  return 0;
}

export async function runMember(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { ...COMMON, name: { type: 'string' } } });
  if (!values.name) throw new Error('--name is required');
  return run(values, [memberSpec(values.name, 0, values)], true);
}

export async function runMembers(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { ...COMMON, count: { type: 'string', default: '3' }, prefix: { type: 'string', default: 'member' } } });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive integer');
  const specs = Array.from({ length: count }, (_, k) => memberSpec(`${values.prefix}${k + 1}`, k, values));
  return run(values, specs, false);
}

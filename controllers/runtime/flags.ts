// Command-line flags shared by the controller-manager and scheduler commands (node:util parseArgs options). Defaults
// live in componentConfig, where the per-component ones are supplied.
import { resolve } from 'node:path';
import type { ComponentConfig } from './process.js';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS } from './leaderelection.js';

export const COMPONENT_FLAGS = {
  kubeconfig: { type: 'string' },
  'bind-address': { type: 'string' },
  port: { type: 'string' },
  'log-level': { type: 'string' },
  'leader-elect': { type: 'string' },
  'lease-name': { type: 'string' },
  'lease-namespace': { type: 'string' },
  'lease-duration': { type: 'string' },
  'renew-deadline': { type: 'string' },
  'retry-period': { type: 'string' },
} as const;

export type ComponentFlagValues = { [K in keyof typeof COMPONENT_FLAGS]?: string };

/**
 * parseArgs takes a boolean flag only bare; kube's `--leader-elect=false` form needs a string flag, so a bare
 * `--leader-elect` is rewritten to `--leader-elect=true` first.
 */
export function normalizeBoolFlags(args: string[]): string[] {
  return args.map((a) => (a === '--leader-elect' ? '--leader-elect=true' : a));
}

export function componentConfig(component: string, values: ComponentFlagValues, defaults: { port: number; leaseName: string }): ComponentConfig {
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const port = values.port === undefined ? defaults.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${values.port}"`);
  const elect = values['leader-elect'] ?? 'true';
  if (elect !== 'true' && elect !== 'false') throw new Error(`invalid --leader-elect "${elect}" (true or false)`);
  return {
    component,
    kubeconfig: resolve(values.kubeconfig),
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    port,
    logLevel: values['log-level'] ?? 'info',
    leaderElection:
      elect === 'true'
        ? {
            namespace: values['lease-namespace'] ?? 'kube-system',
            name: values['lease-name'] ?? defaults.leaseName,
            leaseDurationMs: parseDuration(values['lease-duration'] ?? `${DEFAULT_LEASE_DURATION_MS}ms`),
            renewDeadlineMs: parseDuration(values['renew-deadline'] ?? `${DEFAULT_RENEW_DEADLINE_MS}ms`),
            retryPeriodMs: parseDuration(values['retry-period'] ?? `${DEFAULT_RETRY_PERIOD_MS}ms`),
          }
        : undefined,
  };
}

/** A Go-style duration of one unit: 500ms, 2s, 1.5m, 1h. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}" (e.g. 500ms, 2s, 1m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

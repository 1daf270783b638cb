// `flotilla scheduler`: runs the scheduler, with leader election, until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { COMPONENT_FLAGS, componentConfig, normalizeBoolFlags } from '../controllers/runtime/flags.js';
import { runSchedulerProcess } from '../scheduler/scheduler.js';
import { onShutdown } from './signals.js';

export async function runScheduler(args: string[]): Promise<number> {
  const { values } = parseArgs({ args: normalizeBoolFlags(args), strict: true, options: COMPONENT_FLAGS });
  const config = componentConfig('scheduler', values, { port: 10351, leaseName: 'flotilla-scheduler' });
  const stop = new AbortController();
  const done = runSchedulerProcess(config, stop.signal);
  // Ends on a signal (after a graceful stop) or by itself, when leadership is lost (exit 1: be restarted).
  const onSignal = onShutdown(async () => {
    stop.abort();
    await done;
  });
  return Promise.race([done, onSignal.then(() => done)]);
}

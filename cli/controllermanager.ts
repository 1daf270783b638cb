// `flotilla controller-manager`: runs the controllers, with leader election, until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { CONTROLLER_MANAGER_FLAGS, runControllerManagerProcess } from '../controllers/controllermanager.js';
import { COMPONENT_FLAGS, componentConfig, normalizeBoolFlags } from '../controllers/runtime/flags.js';
import { onShutdown } from './signals.js';

export async function runControllerManager(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: normalizeBoolFlags(args),
    strict: true,
    options: { ...COMPONENT_FLAGS, ...CONTROLLER_MANAGER_FLAGS, controllers: { type: 'string', default: '*' } },
  });
  const config = componentConfig('controller-manager', values, { port: 10357, leaseName: 'flotilla-controller-manager' });
  const stop = new AbortController();
  const done = runControllerManagerProcess(config, values.controllers!, stop.signal, values);
  // Ends on a signal (after a graceful stop) or by itself, when leadership is lost (exit 1: be restarted).
  const onSignal = onShutdown(async () => {
    stop.abort();
    await done;
  });
  return Promise.race([done, onSignal.then(() => done)]);
}

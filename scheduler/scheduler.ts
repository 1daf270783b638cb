// The scheduler process: holds the scheduler Lease and serves health and metrics. The scheduling loop (a
// Controller over ResourceBindings) arrives with the propagation issue and runs while this process leads.
import type { Controller } from '../controllers/runtime/controller.js';
import { runComponent, type ComponentConfig } from '../controllers/runtime/process.js';

/** The loops the scheduler runs while leading. */
export const SCHEDULER_LOOPS: Controller[] = [];

export function runSchedulerProcess(config: ComponentConfig, shutdown: AbortSignal): Promise<number> {
  return runComponent(config, SCHEDULER_LOOPS, shutdown);
}

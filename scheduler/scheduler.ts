// The scheduler process: holds the scheduler Lease and serves health and metrics; while it leads, it runs the
// scheduling loop, which places ResourceBindings and ClusterResourceBindings on member clusters.
import type { Controller } from '../controllers/runtime/controller.js';
import { runComponent, type ComponentConfig } from '../controllers/runtime/process.js';
import { schedulingLoop } from './schedule.js';

/** The loops the scheduler runs while leading. */
export const SCHEDULER_LOOPS: Controller[] = [schedulingLoop()];

export function runSchedulerProcess(config: ComponentConfig, shutdown: AbortSignal): Promise<number> {
  return runComponent(config, SCHEDULER_LOOPS, shutdown);
}

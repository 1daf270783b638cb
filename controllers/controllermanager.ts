// The controller-manager: runs the registered controllers while it holds the controller-manager Lease.
import { selectControllers, type Controller } from './runtime/controller.js';
import { runComponent, type ComponentConfig } from './runtime/process.js';

/** Every controller the controller-manager can run; issues that add a controller append it here. */
export const CONTROLLERS: Controller[] = [];

/** Runs the controllers selected by controllersSpec (a --controllers value); see runComponent for the result. */
export function runControllerManagerProcess(config: ComponentConfig, controllersSpec: string, shutdown: AbortSignal): Promise<number> {
  return runComponent(config, selectControllers(CONTROLLERS, controllersSpec), shutdown);
}

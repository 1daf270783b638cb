// A controller's own stop signal: every handler, queue and request of a controller listens for the stop, which is
// more than Node's ten listeners per signal. On a signal of the controller's own the limit is lifted, so that the
// process's signal keeps the leak warning for real leaks.
import { setMaxListeners } from 'node:events';
import type { ControllerContext } from '../runtime/controller.js';

/** ctx with a signal that aborts when ctx.signal does, without a listener limit. */
export function withOwnSignal(ctx: ControllerContext): ControllerContext {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  if (ctx.signal.aborted) stop.abort();
  else ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  return { ...ctx, signal: stop.signal };
}

// What a controller is to the processes that run it, and the instrumented work queue controllers reconcile from.
import type { Logger } from 'pino';
import { statusCodeOf, type Clients } from './client.js';
import type { InformerFactory } from './informer.js';
import type { EventBroadcaster } from './events.js';
import type { ComponentMetrics } from './metrics.js';
import { WorkQueue, type Reconcile, type WorkQueueOptions } from './workqueue.js';

export interface ControllerContext {
  /** Shared informers: informers.forResource(path), then waitForSync before trusting the cache. */
  informers: InformerFactory;
  client: Clients;
  logger: Logger;
  metrics: ComponentMetrics;
  /** The process's one event broadcaster: controllers take their recorders from it. */
  events: EventBroadcaster;
  /** Aborts when the controller must stop: leadership lost or the process shutting down. */
  signal: AbortSignal;
}

export interface Controller {
  readonly name: string;
  /**
   * Resolves once the controller is running (its informers synced and its queue draining), or rejects if it cannot
   * start. It keeps running until ctx.signal aborts; everything it started must stop then.
   */
  start(ctx: ControllerContext): Promise<void>;
}

/**
 * A WorkQueue for controller name that counts reconciles and failures, logs failures, reports depth and wait time
 * under the queue name, and stops when ctx.signal aborts.
 */
export function newControllerQueue<K>(
  ctx: ControllerContext,
  name: string,
  reconcile: Reconcile<K>,
  opts: Omit<WorkQueueOptions, 'onDequeue'> = {},
): WorkQueue<K> {
  const labels = { controller: name };
  const tracked = ctx.metrics.trackQueue(name, () => queue.length);
  const queue: WorkQueue<K> = new WorkQueue<K>(
    async (key) => {
      ctx.metrics.reconciles.inc(labels);
      const end = ctx.metrics.workDuration.startTimer({ name });
      try {
        return await reconcile(key);
      } finally {
        end();
      }
    },
    (key, err) => {
      ctx.metrics.reconcileErrors.inc(labels);
      // A conflict is the optimistic concurrency working as meant: the next pass reads the newer object.
      if (statusCodeOf(err) === 409) ctx.logger.info({ controller: name, key }, 'object changed since it was read; requeued');
      // Stopping aborts the requests in flight: not a failure of the reconcile.
      else if (ctx.signal.aborted) ctx.logger.debug({ err, controller: name, key }, 'reconcile stopped');
      else ctx.logger.error({ err, controller: name, key }, 'reconcile failed; requeued with backoff');
    },
    { ...opts, onDequeue: tracked.onDequeue },
  );
  const stop = () => {
    queue.stop();
    tracked.untrack();
  };
  if (ctx.signal.aborted) stop();
  else ctx.signal.addEventListener('abort', stop, { once: true });
  return queue;
}

/**
 * The controllers a --controllers value selects, as kube-controller-manager reads it: a comma-separated list of
 * names, `*` for all, and `-name` to leave one out (`*,-foo`). An unknown name is an error, not a silent no-op.
 */
export function selectControllers(all: readonly Controller[], spec: string): Controller[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = new Set(all.map((c) => c.name));
  for (const item of items) {
    const name = item.replace(/^-/, '');
    if (name !== '*' && !known.has(name)) throw new Error(`unknown controller "${name}" (known: ${[...known].join(', ') || 'none'})`);
  }
  const everything = items.includes('*');
  return all.filter((c) => !items.includes(`-${c.name}`) && (everything || items.includes(c.name)));
}

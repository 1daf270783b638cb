// Runs fn over items with at most `limit` calls in flight, as client-go's workqueue.ParallelizeUntil does: a controller
// whose pass writes many objects waits for one round trip per `limit` writes, not one per write.

/**
 * Resolves once fn has run for every item. fn is meant to handle its own failures: one that throws rejects the call at
 * once, while the calls in flight and the items after them still run.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

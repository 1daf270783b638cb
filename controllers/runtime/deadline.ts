// Deadlines for requests and waits. AbortSignal.any over AbortSignal.timeout is not used for them: Node 20 holds the
// sources of AbortSignal.any weakly, and nothing else holds AbortSignal.timeout's signal, so a garbage collection can
// drop the timeout and the deadline never comes (a leader whose Lease was taken never gave up waiting to renew it).
// Here the timer holds the signal.

export interface Deadline {
  signal: AbortSignal;
  /** Releases the timer and the listener on the parent signal (a long-lived one would collect listeners otherwise). */
  clear(): void;
}

/** A signal that aborts after ms with a TimeoutError, as AbortSignal.timeout's does, or when parent aborts. */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const ctl = new AbortController();
  const onParentAbort = () => ctl.abort(parent?.reason);
  const timer = setTimeout(() => ctl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  // As AbortSignal.timeout's timer: a deadline alone does not keep the process alive.
  timer.unref();
  const clear = () => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  };
  ctl.signal.addEventListener('abort', clear, { once: true });
  if (parent?.aborted) ctl.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return { signal: ctl.signal, clear };
}

/** fn, given a signal that aborts after ms or when parent aborts; the deadline is released when fn settles. */
export async function withDeadline<T>(ms: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadline(ms, parent);
  try {
    return await fn(d.signal);
  } finally {
    d.clear();
  }
}

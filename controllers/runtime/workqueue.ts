// A rate-limited work queue with client-go's semantics: a key is queued at most once, a key re-added while it is
// being processed runs again afterwards (never concurrently with itself), and failures back off per key.
import Queue from 'yocto-queue';

export interface WorkQueueOptions {
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called with the queue depth and the time a key waited, for metrics. */
  onDequeue?: (depth: number, waitedMs: number) => void;
}

export type Reconcile<K> = (key: K) => Promise<void | { requeueAfterMs?: number }>;

export class WorkQueue<K> {
  // Not an array: Array#shift copies the whole array once it is large, and a cold start queues every Work at once.
  private readonly queue = new Queue<K>();
  private readonly queued = new Map<K, number>();
  private readonly processing = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly reconcile: Reconcile<K>,
    private readonly onError: (key: K, err: unknown) => void,
    private readonly opts: WorkQueueOptions = {},
  ) {}

  get length(): number {
    return this.queue.size;
  }

  add(key: K): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.set(key, Date.now());
    this.queue.enqueue(key);
    this.pump();
  }

  /** Queues key after delayMs; of two pending delays for one key, the earlier wins (as client-go's delaying queue). */
  addAfter(key: K, delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs).unref();
    this.timers.set(key, { at, timer });
  }

  private addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min((this.opts.baseDelayMs ?? 50) * 2 ** n, this.opts.maxDelayMs ?? 30_000);
    this.addAfter(key, delay);
  }

  private pump(): void {
    const workers = this.opts.workers ?? 1;
    while (!this.stopped && this.running < workers && this.queue.size > 0) {
      const key = this.queue.dequeue()!;
      const enqueuedAt = this.queued.get(key)!;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      this.opts.onDequeue?.(this.queue.size, Date.now() - enqueuedAt);
      void this.run(key);
    }
    if (this.running === 0 && this.queue.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(key: K): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      this.onError(key, err);
      this.addRateLimited(key);
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }

  /** Resolves when nothing is queued or running (delayed re-adds do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.queue.clear();
    this.queued.clear();
  }
}

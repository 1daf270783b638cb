// The bounded, resourceVersion-ordered log of committed events. Watches replay from it, and continued lists rewind
// the current data to their snapshot with it (each event keeps prevObject), so how far back it reaches decides when
// both answer 'Expired'.
import type { StoreEvent } from './store.js';

export interface HistoryLimits {
  /** Always keep at least the newest this-many events. */
  count: number;
  /** Always keep events younger than this. */
  ageMs: number;
}

export class EventHistory {
  private events: StoreEvent[] = [];
  private committedAt: number[] = [];
  /** events[head] is the oldest retained; dropping advances head instead of shifting the arrays. */
  private head = 0;
  private complete: number;

  /** startRv: the history is complete after this resourceVersion (nothing before it is known). */
  constructor(
    private readonly limits: HistoryLimits,
    startRv: number,
  ) {
    this.complete = startRv;
  }

  /** Every event with a resourceVersion above this one is retained. */
  get completeAfter(): number {
    return this.complete;
  }

  append(event: StoreEvent, now: number): void {
    this.events.push(event);
    this.committedAt.push(now);
  }

  /** Drops events only when they are both beyond the newest `count` and older than `ageMs`. */
  trim(now: number): void {
    const { count, ageMs } = this.limits;
    while (this.events.length - this.head > count && now - this.committedAt[this.head] >= ageMs) {
      this.complete = this.events[this.head].rv;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.committedAt = this.committedAt.slice(this.head);
      this.head = 0;
    }
  }

  /** The newest retained resourceVersion, or completeAfter when empty. */
  get lastRv(): number {
    return this.events.length > this.head ? this.events[this.events.length - 1].rv : this.complete;
  }

  /** Retained events with afterRv < rv <= uptoRv, oldest first. */
  *between(afterRv: number, uptoRv = Infinity): Generator<StoreEvent> {
    for (let i = this.firstAfter(afterRv); i < this.events.length && this.events[i].rv <= uptoRv; i++) {
      yield this.events[i];
    }
  }

  private firstAfter(rv: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

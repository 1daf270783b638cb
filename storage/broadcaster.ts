// Live fan-out of committed events to watchers. Watchers are grouped by prefix so an event costs one startsWith per
// distinct prefix, and every watcher receives the same event object (nothing is copied or serialised per watcher).
import type { Logger } from 'pino';
import type { StoreEvent, Watcher } from './store.js';

interface Subscriber {
  onEvent: (e: StoreEvent) => void;
  /** Highest resourceVersion already delivered (or covered by replay): later duplicates are skipped. */
  deliveredRv: number;
}

export class Broadcaster {
  private readonly byPrefix = new Map<string, Set<Subscriber>>();

  constructor(private readonly logger?: Logger) {}

  subscribe(prefix: string, deliveredRv: number, onEvent: (e: StoreEvent) => void): Watcher {
    const subscriber: Subscriber = { onEvent, deliveredRv };
    let group = this.byPrefix.get(prefix);
    if (!group) this.byPrefix.set(prefix, (group = new Set()));
    group.add(subscriber);
    return {
      stop: () => {
        const current = this.byPrefix.get(prefix);
        if (current?.delete(subscriber) && current.size === 0) this.byPrefix.delete(prefix);
      },
    };
  }

  dispatch(event: StoreEvent): void {
    for (const [prefix, group] of this.byPrefix) {
      if (!event.key.startsWith(prefix)) continue;
      for (const subscriber of group) {
        if (event.rv <= subscriber.deliveredRv) continue;
        subscriber.deliveredRv = event.rv;
        try {
          subscriber.onEvent(event);
        } catch (err) {
          // One broken watcher must not stall the commit path or starve the others.
          this.logger?.error({ err, key: event.key, rv: event.rv }, 'watch event handler failed');
        }
      }
    }
  }

  clear(): void {
    this.byPrefix.clear();
  }
}

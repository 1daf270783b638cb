// Live fan-out of committed events to watchers. Watchers are grouped by prefix, and every watcher receives the same
// event object (nothing is copied or serialised per watcher). Prefixes that end a path segment ("…/deployments/",
// "…/deployments/ns/") or name a whole key are looked up by the event key's own segments, so an event costs what its
// key is deep, not what the store has watchers: a members process serves a hundred clusters' watches from one store.
// Any other prefix is rare and tested one by one.
import type { Logger } from 'pino';
import type { StoreEvent, Watcher } from './store.js';

interface Subscriber {
  onEvent: (e: StoreEvent) => void;
  /** Highest resourceVersion already delivered (or covered by replay): later duplicates are skipped. */
  deliveredRv: number;
}

export class Broadcaster {
  /** Groups by prefix: those ending in "/" (or empty), and those that do not, which may also be whole keys. */
  private readonly bySegment = new Map<string, Set<Subscriber>>();
  private readonly byOther = new Map<string, Set<Subscriber>>();

  constructor(private readonly logger?: Logger) {}

  subscribe(prefix: string, deliveredRv: number, onEvent: (e: StoreEvent) => void): Watcher {
    const subscriber: Subscriber = { onEvent, deliveredRv };
    const groups = prefix === '' || prefix.endsWith('/') ? this.bySegment : this.byOther;
    let group = groups.get(prefix);
    if (!group) groups.set(prefix, (group = new Set()));
    group.add(subscriber);
    return {
      stop: () => {
        const current = groups.get(prefix);
        if (current?.delete(subscriber) && current.size === 0) groups.delete(prefix);
      },
    };
  }

  dispatch(event: StoreEvent): void {
    const key = event.key;
    if (this.bySegment.size > 0) {
      this.deliver(this.bySegment.get(''), event);
      for (let i = key.indexOf('/'); i !== -1; i = key.indexOf('/', i + 1)) this.deliver(this.bySegment.get(key.slice(0, i + 1)), event);
    }
    for (const [prefix, group] of this.byOther) if (key.startsWith(prefix)) this.deliver(group, event);
  }

  private deliver(group: Set<Subscriber> | undefined, event: StoreEvent): void {
    if (!group) return;
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

  clear(): void {
    this.bySegment.clear();
    this.byOther.clear();
  }
}

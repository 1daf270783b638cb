// core/v1 Events about the objects the controllers act on (bindings, Works, and the resource templates users
// describe), recorded as client-go's recorder does: in the background, so a reconcile never waits for an event (nor
// fails with one), and correlated, so a repeated event (same object, type, reason and message) bumps the count of
// the one already written instead of adding another. Repeats that arrive while an event is queued or being written
// are folded into one count update; one this process has written is updated with one patch, and one an earlier
// run wrote is found by its name, which comes from what it says. Recording is best effort: a failure is logged, and
// when too many events are queued (the apiserver is down or slow), new ones are dropped, as client-go drops them.
//
// A process has one broadcaster, which every controller's recorder feeds, as controller-runtime's manager has one
// for all its controllers: one queue, and events written one at a time, as client-go's sink writes them. Under a
// burst the queue fills and events are dropped, rather than taking the apiserver's time from the writes the
// controllers exist for: with two writers for each of the controller-manager's recorders, a 40,000-Work burst wrote
// about 24,000 events; with one writer for the process, 12,000-13,500.
import type { Logger } from 'pino';
import { isStatus, type KeepAliveKubeConfig } from './client.js';
import { restClient, type RESTClient } from './rest.js';

export interface Involved {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export type EventType = 'Normal' | 'Warning';

/** Karmada's event reasons (pkg/events). */
export const REASON = {
  ScheduleBindingSucceed: 'ScheduleBindingSucceed',
  ScheduleBindingFailed: 'ScheduleBindingFailed',
  ApplyOverridePolicyFailed: 'ApplyOverridePolicyFailed',
  SyncWorkFailed: 'SyncWorkFailed',
  SyncWorkSucceed: 'SyncWorkSucceed',
  CleanupWorkFailed: 'CleanupWorkFailed',
  SyncScheduleResultToDependenciesFailed: 'SyncScheduleResultToDependenciesFailed',
} as const;

export interface EventBroadcasterOptions {
  /** Distinct events waiting to be written at most (client-go's broadcaster queues 1,000). */
  maxQueued?: number;
  /** Counts of written events remembered (client-go's correlator keeps 4,096). */
  maxRemembered?: number;
}

/** An event waiting to be written: its body, and how many times it happened since the last write. */
interface Queued {
  namespace: string;
  name: string;
  body: Record<string, unknown>;
  times: number;
  lastTimestamp: string;
}

function hex32(s: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** metav1.Time: RFC 3339 to the second. */
function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Records events as one component (Karmada's recorder names: "binding-controller", "default-scheduler"). */
export class EventRecorder {
  constructor(
    private readonly broadcaster: EventBroadcaster,
    readonly component: string,
  ) {}

  /** Queues the event and returns at once. */
  record(obj: Involved, type: EventType, reason: string, message: string): void {
    this.broadcaster.record(this.component, obj, type, reason, message);
  }
}

export class EventBroadcaster {
  private readonly rest: RESTClient;
  private readonly queued = new Map<string, Queued>();
  /** Whether an event is being written: one at a time, as client-go's sink writes them. */
  private writing = false;
  /** The count each event this broadcaster wrote has in the API, by namespace/name, least recently written first. */
  private readonly counts = new Map<string, number>();
  private readonly opts: Required<EventBroadcasterOptions>;
  private idleWaiters: (() => void)[] = [];
  /** Whether events are being dropped: said once per episode, not once per event. */
  private dropping = false;

  constructor(
    kc: KeepAliveKubeConfig,
    private readonly logger: Logger,
    opts: EventBroadcasterOptions = {},
  ) {
    this.rest = restClient(kc);
    this.opts = { maxQueued: 1_000, maxRemembered: 4_096, ...opts };
  }

  recorder(component: string): EventRecorder {
    return new EventRecorder(this, component);
  }

  record(component: string, obj: Involved, type: EventType, reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    // Events of cluster-scoped objects go to the default namespace, as client-go puts them.
    const namespace = meta.namespace || 'default';
    // 253 characters at most: the object's name (cut short if need be) and the hash.
    const name = `${(meta.name ?? '').slice(0, 240)}.${hex32(`${meta.uid}/${component}/${type}/${reason}/${message}`)}`;
    const key = `${namespace}/${name}`;
    const now = metaTime(new Date());
    const waiting = this.queued.get(key);
    if (waiting) {
      waiting.times++;
      waiting.lastTimestamp = now;
      return;
    }
    if (this.queued.size >= this.opts.maxQueued) {
      if (!this.dropping) this.logger.warn({ queued: this.queued.size, reason, object: `${namespace}/${meta.name}` }, 'event queue full, dropping events');
      this.dropping = true;
      return;
    }
    this.dropping = false;
    const involvedObject = { apiVersion: obj.apiVersion, kind: obj.kind, name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion };
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      type,
      reason,
      message,
      firstTimestamp: now,
      source: { component },
      reportingComponent: component,
      reportingInstance: '',
    };
    this.queued.set(key, { namespace, name, body, times: 1, lastTimestamp: now });
    this.pump();
  }

  /** Resolves once every event recorded so far is written (or given up on). */
  async flushed(): Promise<void> {
    while (this.queued.size > 0 || this.writing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    // Repeats of the event being written wait in the queue and go out as one count update after it.
    const next = this.writing ? undefined : this.queued.entries().next().value;
    if (!next) return;
    const [key, event] = next;
    this.queued.delete(key);
    this.writing = true;
    this.write(key, event)
      .catch((err) => this.logger.warn({ err, reason: event.body.reason, event: key }, 'could not record event'))
      .finally(() => {
        this.writing = false;
        this.pump();
        if (this.queued.size === 0 && !this.writing) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async write(key: string, event: Queued): Promise<void> {
    const { namespace, name, times, lastTimestamp } = event;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events/${encodeURIComponent(name)}`;
    const patchCount = async (count: number) => {
      await this.rest.send('PATCH', path, { body: { count, lastTimestamp }, contentType: 'application/merge-patch+json' });
      this.remember(key, count);
    };
    const known = this.counts.get(key);
    if (known !== undefined) {
      try {
        return await patchCount(known + times);
      } catch (err) {
        // Gone (events expire): written anew below.
        if (!isStatus(err, 404)) throw err;
      }
    }
    try {
      await this.rest.send('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { body: { ...event.body, count: times, lastTimestamp } });
      this.remember(key, times);
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      // Written by an earlier run of this component.
      const existing = await this.rest.request('GET', path);
      await patchCount((existing.count ?? 1) + times);
    }
  }

  private remember(key: string, count: number): void {
    this.counts.delete(key);
    this.counts.set(key, count);
    if (this.counts.size > this.opts.maxRemembered) this.counts.delete(this.counts.keys().next().value!);
  }
}

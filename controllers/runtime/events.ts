// core/v1 Events about the objects the controllers act on (bindings, Works, and the resource templates users
// describe). A repeated event (same object, type, reason and
// message) bumps the count of the first one instead of adding another, as client-go's recorder aggregates them; the
// event's name comes from what it says, so this holds across restarts too. Recording is best effort: a failure is
// logged, never raised.
import { type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { statusCodeOf } from './client.js';

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

function hex32(s: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export class EventRecorder {
  constructor(
    private readonly core: CoreV1Api,
    /** The source component, as Karmada names its recorders ("binding-controller", "override-manager"). */
    private readonly component: string,
    private readonly logger: Logger,
  ) {}

  async record(obj: Involved, type: EventType, reason: string, message: string): Promise<void> {
    const meta = obj.metadata ?? {};
    // Events of cluster-scoped objects go to the default namespace, as client-go puts them.
    const namespace = meta.namespace || 'default';
    // 253 characters at most: the object's name (cut short if need be) and the hash.
    const name = `${(meta.name ?? '').slice(0, 240)}.${hex32(`${meta.uid}/${this.component}/${type}/${reason}/${message}`)}`;
    const now = new Date();
    try {
      try {
        await this.core.createNamespacedEvent({ namespace, body: this.event(obj, namespace, name, type, reason, message, now) });
      } catch (err) {
        if (statusCodeOf(err) !== 409) throw err;
        const existing = await this.core.readNamespacedEvent({ name, namespace });
        existing.count = (existing.count ?? 1) + 1;
        existing.lastTimestamp = now;
        await this.core.replaceNamespacedEvent({ name, namespace, body: existing });
      }
    } catch (err) {
      this.logger.warn({ err, reason, object: `${namespace}/${meta.name}` }, 'could not record event');
    }
  }

  private event(obj: Involved, namespace: string, name: string, type: EventType, reason: string, message: string, now: Date): CoreV1Event {
    const meta = obj.metadata ?? {};
    return {
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: '',
    };
  }
}

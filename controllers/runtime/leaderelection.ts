// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it: candidates try to
// acquire the Lease every retry period; the holder renews it and gives up leadership when it cannot renew within the
// renew deadline; another candidate takes an unreleased Lease once it has seen it unchanged for its duration. Writes
// are PUTs with the resourceVersion that was read, so of two candidates racing for one Lease exactly one wins.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoordinationV1Api, V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { callWithin, statusCodeOf, withSignal } from './client.js';
import { deadline, withDeadline } from './deadline.js';

export interface LeaderCallbacks {
  /**
   * Called on becoming leader. signal aborts when leadership ends (lost, or the elector is stopped); the returned
   * promise should settle once the work guarded by the Lease has stopped, because a release waits for it.
   */
  onStartedLeading(signal: AbortSignal): Promise<void> | void;
  /** Called after leadership has ended (not called if this candidate never led). */
  onStoppedLeading(): void;
}

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  /** How long a Lease is valid without renewal; non-leaders wait this long before taking an unreleased Lease. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failing renewal before it gives up leadership. */
  renewDeadlineMs?: number;
  /** The interval between attempts to acquire or renew. */
  retryPeriodMs?: number;
  callbacks: LeaderCallbacks;
  logger: Logger;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor: acquire attempts are spread over [retryPeriod, retryPeriod * (1 + 1.2)]. */
const JITTER_FACTOR = 1.2;

/** hostname_pid_random: unique per process, and readable in the Lease. */
export function defaultIdentity(): string {
  return `${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  /** The Lease as last read or written, and when (on our clock) it was seen to change: expiry is judged from that. */
  private observed?: V1Lease;
  private observedTime = 0;
  private reportedLeader?: string;

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly config: LeaderElectionConfig,
  ) {
    this.leaseDurationMs = config.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = config.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = config.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    // client-go's validation: a leader must give up before its Lease can expire for the others, and must get more
    // than one (jittered) attempt at renewing before it does.
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('lease duration must be greater than the renew deadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error(`renew deadline must be greater than ${JITTER_FACTOR} × the retry period`);
    if (!config.identity) throw new Error('leader election identity must not be empty');
    this.log = config.logger.child({ lease: `${config.namespace}/${config.name}`, identity: config.identity });
  }

  isLeader(): boolean {
    return this.observed?.spec?.holderIdentity === this.config.identity;
  }

  /** The holder last observed, or '' when none. */
  getLeader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  /**
   * Campaigns until leading, then renews until leadership is lost or signal aborts. Resolves when done: true if it
   * stopped because of signal, false if leadership was lost (after which the caller should exit, as client-go's users
   * do, rather than campaign again with possibly half-stopped work).
   */
  async run(signal: AbortSignal): Promise<boolean> {
    if (!(await this.acquire(signal))) return true;
    const leading = new AbortController();
    this.log.info('became leader');
    const work = Promise.resolve()
      .then(() => this.config.callbacks.onStartedLeading(leading.signal))
      .catch((err) => this.log.error({ err }, 'leader work failed'));
    try {
      await this.renew(signal);
    } finally {
      leading.abort();
      await work;
      // Stopped on request, with the guarded work done: hand the Lease over rather than make the others wait it out.
      if (signal.aborted) await this.release();
      else this.log.error('leader election lost');
      this.config.callbacks.onStoppedLeading();
    }
    return signal.aborted;
  }

  /** Tries every retry period (jittered) until the Lease is ours; false if signal aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info('attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await withDeadline(this.renewDeadlineMs, signal, (attempt) => this.tryAcquireOrRenew(attempt))) return true;
      await pause(this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  /** Renews every retry period; resolves when a renewal kept failing for the renew deadline, or signal aborted. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const attempt = deadline(this.renewDeadlineMs, signal);
      let renewed = false;
      try {
        while (!attempt.signal.aborted) {
          if ((renewed = await this.tryAcquireOrRenew(attempt.signal))) break;
          await pause(this.retryPeriodMs, attempt.signal);
        }
      } finally {
        attempt.clear();
      }
      if (!renewed) return;
      await pause(this.retryPeriodMs, signal);
    }
  }

  /** One attempt, client-go's tryAcquireOrRenew. Failures are logged and reported as false. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { namespace, name } = this.config;
    const now = Date.now();
    const opts = withSignal(signal);
    try {
      // Fast path: a leader holding a valid Lease writes over the version it last wrote; a conflict means someone
      // else wrote since, and the slow path below sorts out who holds it.
      if (this.isLeader() && this.isLeaseValid(now)) {
        const lease = this.observed!;
        try {
          const body = { ...lease, spec: this.nextSpec(lease.spec, now) };
          this.setObserved(await this.api.replaceNamespacedLease({ namespace, name, body }, opts), Date.now());
          return true;
        } catch (err) {
          if (signal.aborted) throw err;
          this.log.debug({ err: describe(err) }, 'optimistic lease renewal failed; rereading the lease');
        }
      }

      let lease: V1Lease;
      try {
        lease = await this.api.readNamespacedLease({ namespace, name }, opts);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
        const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: this.nextSpec(undefined, now) };
        this.setObserved(await this.api.createNamespacedLease({ namespace, body }, opts), Date.now());
        return true;
      }

      if (lease.metadata?.resourceVersion !== this.observed?.metadata?.resourceVersion) this.setObserved(lease, now);
      const holder = lease.spec?.holderIdentity ?? '';
      if (holder !== '' && holder !== this.config.identity && this.isLeaseValid(now)) return false;
      // replace carries metadata.resourceVersion as read: a write by anyone since fails with 409 Conflict.
      const body = { ...lease, spec: this.nextSpec(lease.spec, now) };
      this.setObserved(await this.api.replaceNamespacedLease({ namespace, name, body }, opts), Date.now());
      return true;
    } catch (err) {
      // 409 is the expected outcome of losing a race. A request cut short by shutdown is not worth a warning either;
      // one cut short by its deadline is.
      if (statusCodeOf(err) === 409) this.log.debug('lease changed concurrently; will retry');
      else if (!signal.aborted || (signal.reason as Error | undefined)?.name === 'TimeoutError') this.log.warn({ err: describe(err) }, 'failed to acquire or renew lease');
      return false;
    }
  }

  /** The spec that makes or keeps this candidate the holder of a Lease whose spec is old. */
  private nextSpec(old: V1LeaseSpec | undefined, now: number): V1LeaseSpec {
    const renewing = old?.holderIdentity === this.config.identity;
    const transitions = old?.leaseTransitions ?? 0;
    return {
      ...old,
      holderIdentity: this.config.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: renewing && old?.acquireTime ? old.acquireTime : new V1MicroTime(now),
      renewTime: new V1MicroTime(now),
      leaseTransitions: renewing || !old ? transitions : transitions + 1,
    };
  }

  /** client-go's ReleaseOnCancel: clear the holder (keeping the transition count) so another candidate need not wait. */
  private async release(): Promise<void> {
    if (!this.observed || !this.isLeader()) return;
    const { namespace, name } = this.config;
    // A renewal cut off by the stop may have landed without our seeing it: on a conflict, re-read and try again
    // while the Lease is still ours.
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = this.observed!;
      const now = new V1MicroTime(Date.now());
      const spec = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec?.leaseTransitions ?? 0 };
      try {
        const released = await callWithin(this.renewDeadlineMs, undefined, (o) => this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec } }, o));
        this.setObserved(released, Date.now());
        this.log.info('released leader lease');
        return;
      } catch (err) {
        if (statusCodeOf(err) === 409 && attempt < 2) {
          try {
            const fresh = await callWithin(this.renewDeadlineMs, undefined, (o) => this.api.readNamespacedLease({ namespace, name }, o));
            this.setObserved(fresh, Date.now());
            if (this.isLeader()) continue;
            return;
          } catch {
            // fall through to the warning
          }
        }
        this.log.warn({ err: describe(err) }, 'failed to release lease; the next leader waits for it to expire');
        return;
      }
    }
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTime + (this.observed?.spec?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  private setObserved(lease: V1Lease, at: number): void {
    this.observed = lease;
    this.observedTime = at;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.log.info({ leader: holder }, 'new leader observed');
    }
  }
}

/** Waits ms, or less if signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

function describe(err: unknown): string {
  if (err instanceof ApiException) return `HTTP ${err.code}: ${typeof err.body === 'string' ? err.body.slice(0, 200) : JSON.stringify(err.body)}`;
  return String(err);
}

// Prometheus metrics of a control-plane process. Leader election and work queue metrics carry client-go's names and
// labels, so dashboards written for kube-controller-manager and kube-scheduler read them unchanged.
import client from 'prom-client';

/** client-go's workqueue buckets: 10ns to 10s, by factors of ten. */
const WORKQUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

export class ComponentMetrics {
  readonly registry = new client.Registry();
  /** client-go's leader election metric: 1 while this process holds the Lease named by `name`, else 0. */
  readonly leaderStatus = new client.Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly reconciles = new client.Counter({
    name: 'flotilla_controller_reconciles_total',
    help: 'Total number of reconciliations per controller.',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new client.Counter({
    name: 'flotilla_controller_reconcile_errors_total',
    help: 'Total number of reconciliations per controller that failed and were requeued with backoff.',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly queueLengths = new Map<string, () => number>();
  private readonly queueDepth = new client.Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
    // Read at scrape time: the queue's length changes on every add, and the queue only reports on dequeue.
    collect: () => {
      this.queueDepth.reset();
      for (const [name, length] of this.queueLengths) this.queueDepth.set({ name }, length());
    },
  });
  private readonly queueDuration = new client.Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name'] as const,
    buckets: WORKQUEUE_BUCKETS,
    registers: [this.registry],
  });

  readonly workDuration = new client.Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name'] as const,
    buckets: WORKQUEUE_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Reports the queue named name: its depth (read through length at scrape time) and, through the returned
   * WorkQueue onDequeue hook, how long keys wait. Returns a function that stops reporting it.
   */
  trackQueue(name: string, length: () => number): { onDequeue: (depth: number, waitedMs: number) => void; untrack: () => void } {
    this.queueLengths.set(name, length);
    return {
      onDequeue: (_depth, waitedMs) => this.queueDuration.observe({ name }, waitedMs / 1000),
      untrack: () => this.queueLengths.delete(name),
    };
  }
}

// Prometheus metrics of the apiserver, named as kube-apiserver names them.
import client from 'prom-client';

export class APIServerMetrics {
  readonly registry = new client.Registry();
  readonly requests = new client.Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, resource and HTTP response code.',
    labelNames: ['verb', 'group', 'resource', 'subresource', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new client.Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group and resource.',
    labelNames: ['verb', 'group', 'resource', 'subresource'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly watchers = new client.Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resource.',
    labelNames: ['group', 'resource'] as const,
    registers: [this.registry],
  });
  readonly terminatedWatchers = new client.Counter({
    name: 'apiserver_terminated_watchers_total',
    help: 'Counter of watchers closed due to unresponsiveness broken by resource type.',
    labelNames: ['group', 'resource'] as const,
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
  }
}

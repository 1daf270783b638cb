// The propagation metrics end to end: Karmada's nginx sample applied to a fleet, and the controller-manager's /metrics
// read over HTTP as Prometheus would scrape it.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { freePort } from './harness.js';
import { fleetSkip as skip, startFleet, type Fleet } from './fleet.js';
import { NGINX_DEPLOYMENT, NGINX_POLICY } from './samples.js';

let fleet: Fleet | undefined;
let metricsPort: number;

before(async () => {
  if (skip) return;
  metricsPort = await freePort();
  fleet = await startFleet({ controllerManagerArgs: ['--port', String(metricsPort)] });
});

after(async () => {
  await fleet?.stop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The controller-manager's /metrics, parsed from the text exposition format. */
function scrape(): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET /metrics: ${res.statusCode}`));
        const samples: Sample[] = [];
        for (const line of body.split('\n')) {
          const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
          if (!m) continue;
          const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
          samples.push({ name: m[1], labels, value: Number(m[3]) });
        }
        resolve(samples);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

test('after the nginx sample propagates, /metrics has the sync, the creates and the propagation latency', { skip }, async () => {
  const f = fleet!;
  await f.apply(`${NGINX_DEPLOYMENT}---\n${NGINX_POLICY}`);
  await f.until('nginx in both members', async () => ((await f.memberReplicas('member1', 'deploy', 'nginx')) === 1 && (await f.memberReplicas('member2', 'deploy', 'nginx')) === 1 ? true : undefined));
  const createdAt = Date.parse((await f.getJSON(['deploy', 'nginx'])).metadata.creationTimestamp);

  const samples = await f.until('both propagations observed', async () => {
    const s = await scrape();
    return value(s, 'flotilla_propagation_duration_seconds_count') >= 2 ? s : undefined;
  });
  for (const member of ['member1', 'member2']) {
    const created = { result: 'success', apiversion: 'apps/v1', kind: 'Deployment', member_cluster: member, recreate: 'false' };
    assert.equal(value(samples, 'create_resource_to_cluster', created), 1, `nginx created in ${member} once`);
  }
  assert.ok(value(samples, 'work_sync_workload_duration_seconds_count', { result: 'success' }) >= 2);
  assert.ok(value(samples, 'work_sync_workload_duration_seconds_bucket', { result: 'success', le: '+Inf' }) >= 2);
  // The creationTimestamp has whole seconds: an observation may exceed the real latency by up to one.
  const slowest = (Date.now() - createdAt) / 1000;
  const count = value(samples, 'flotilla_propagation_duration_seconds_count');
  const sum = value(samples, 'flotilla_propagation_duration_seconds_sum');
  assert.ok(sum >= 0 && sum <= count * slowest, `${sum}s over ${count} propagations, none longer than ${slowest}s`);
  assert.equal(value(samples, 'flotilla_propagation_duration_seconds_bucket', { le: '300' }), count, 'every propagation under the top bucket');
});

// The propagation metrics end to end: Karmada's nginx sample applied to a fleet, and the controller-manager's /metrics
// read over HTTP as Prometheus would scrape it; and every metric README's Observability table lists, found on the
// /metrics of the process the table names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { httpGet, parseMetrics, sumMetric, type Sample } from '../bench/propagation.js';
import { freePort } from './harness.js';
import { fleetSkip as skip, startFleet, type Fleet } from './fleet.js';
import { NGINX_DEPLOYMENT, NGINX_POLICY } from './samples.js';

let fleet: Fleet | undefined;
let metricsPort: number;
let schedulerPort: number;

before(async () => {
  if (skip) return;
  metricsPort = await freePort();
  schedulerPort = await freePort();
  fleet = await startFleet({ controllerManagerArgs: ['--port', String(metricsPort)], schedulerArgs: ['--port', String(schedulerPort)] });
});

after(async () => {
  await fleet?.stop();
});

/** GET /metrics of a process serving plain HTTP (the scheduler, the controller-manager): the exposition text. */
async function metricsText(port: number): Promise<string> {
  const r = await httpGet(port, '/metrics');
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status}`);
  return r.body;
}

/** The controller-manager's /metrics, parsed from the text exposition format. */
const scrape = async (): Promise<Sample[]> => parseMetrics(await metricsText(metricsPort));

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  sumMetric(samples, name, (l) => Object.entries(labels).every(([k, v]) => l[k] === v));

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

/** The rows of README's Observability table: the processes named in the first column, and each metric of the second. */
function documentedMetrics(): { processes: string[]; name: string; labels?: string[] }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Observability'), readme.indexOf('\n## ', readme.indexOf('## Observability') + 1));
  const rows = section.split('\n').filter((l) => /^\| (apiserver|scheduler|controller-manager)/.test(l));
  return rows.flatMap((row) => {
    const [, processes, metrics] = row.split('|').map((c) => c.trim());
    return metrics
      .split('`')
      .filter((_, i) => i % 2 === 1)
      .map((code) => {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?$/.exec(code);
        assert.ok(m, `README's metric \`${code}\` is not a metric name with its labels`);
        return {
          processes: processes.split(',').map((p) => p.trim()),
          name: m[1],
          // A list that elides some ("…") is not checked label by label.
          labels: m[2] === undefined || m[2].includes('…') ? undefined : m[2].split(','),
        };
      });
  });
}

test("every metric README lists is on the /metrics of the processes it names, with the labels it names", { skip }, async () => {
  const f = fleet!;
  // The first test propagated the nginx sample, so the request, sync and scheduling metrics have samples.
  const texts: Record<string, string> = {
    apiserver: (await f.server.request('GET', '/metrics')).body,
    scheduler: await metricsText(schedulerPort),
    'controller-manager': await metricsText(metricsPort),
  };
  const documented = documentedMetrics();
  assert.ok(documented.length >= 20, `README's table lists ${documented.length} metrics`);
  for (const { processes, name, labels } of documented) {
    for (const process of processes) {
      const text = texts[process];
      assert.ok(text, `README names an unknown process: ${process}`);
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${process} /metrics has no ${name}`);
      if (!labels) continue;
      // Histograms' series carry "le" besides; a metric with no series yet (nothing observed) has no labels to check.
      const series = parseMetrics(text).filter((s) => s.name === name || s.name === `${name}_count`);
      for (const s of series) assert.deepEqual(Object.keys(s.labels).sort(), [...labels].sort(), `${process}: ${name}${JSON.stringify(s.labels)}`);
    }
  }
  // Every process also exports Node.js process metrics.
  for (const [process, text] of Object.entries(texts)) assert.match(text, /^process_resident_memory_bytes /m, process);
});

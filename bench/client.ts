// Small HTTPS client helpers for the benchmarks: keep-alive agents carrying the admin client certificate, a request
// that resolves with status, body and latency, a closed-loop driver with a fixed concurrency, and percentiles.
import { readFile } from 'node:fs/promises';
import { Agent, request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Credentials {
  port: number;
  ca: string;
  cert: string;
  key: string;
}

export async function loadCredentials(dataDir: string, port: number): Promise<Credentials> {
  const pki = join(dataDir, 'pki');
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(pki, f), 'utf8')));
  return { port, ca, cert, key };
}

export function keepAliveAgent(creds: Credentials, maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key, servername: 'localhost' });
}

export function requestOptions(creds: Credentials, agent: Agent | false, method: string, path: string, headers: Record<string, string> = {}): RequestOptions {
  return {
    host: '127.0.0.1',
    port: creds.port,
    path,
    method,
    agent,
    ca: creds.ca,
    cert: creds.cert,
    key: creds.key,
    servername: 'localhost',
    headers: { accept: 'application/json', ...headers },
  };
}

export interface Response {
  status: number;
  body: Buffer;
  /** From just before the request was issued until the last byte of the body arrived. */
  ms: number;
  /** performance.now() when the response headers arrived. */
  headersAt: number;
  /** performance.now() when the last byte of the body arrived. */
  endAt: number;
}

export function send(creds: Credentials, agent: Agent, method: string, path: string, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {};
    const started = performance.now();
    const req = request(requestOptions(creds, agent, method, path, headers), (res) => {
      const headersAt = performance.now();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const endAt = performance.now();
        resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), ms: endAt - started, headersAt, endAt });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Stats {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** The nearest-rank p-quantile (0 < p ≤ 1) of sorted, ascending samples; NaN when there are none. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  return n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
}

export function stats(samples: ArrayLike<number>): Stats {
  const a = Float64Array.from(samples).sort();
  const n = a.length;
  const pct = (p: number) => nearestRank(a, p);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  return { count: n, p50Ms: pct(0.5), p90Ms: pct(0.9), p99Ms: pct(0.99), maxMs: n ? a[n - 1] : NaN, meanMs: n ? sum / n : NaN };
}

export interface RunResult extends Stats {
  opsPerSec: number;
  elapsedMs: number;
  /** Responses with an unexpected status or failed requests, by status ("ERR" for transport errors). */
  errors: Record<string, number>;
}

/**
 * Runs op(0..n-1) with `concurrency` workers (closed loop). op returns the status it got; latency is measured around
 * each call.
 */
export async function closedLoop(n: number, concurrency: number, expectStatus: number, op: (i: number) => Promise<number>): Promise<RunResult> {
  const latencies = new Float64Array(n);
  const errors: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      let status: number | string;
      try {
        status = await op(i);
      } catch (err) {
        status = `ERR ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      }
      latencies[i] = performance.now() - t0;
      if (status !== expectStatus) errors[status] = (errors[status] ?? 0) + 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  const elapsedMs = performance.now() - t0;
  return { ...stats(latencies), opsPerSec: (n * 1000) / elapsedMs, elapsedMs, errors };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

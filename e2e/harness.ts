// Test harness: real flotilla processes on free ports, real kubectl binaries.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * Node's arguments for a flotilla child process, then the CLI and args. FLOTILLA_CHILD_NODE_ARGS adds options that
 * NODE_OPTIONS refuses, such as `--cpu-prof --cpu-prof-dir=DIR` to profile every process of a benchmark.
 */
export function cliArgs(args: string[]): string[] {
  return [...(process.env.FLOTILLA_CHILD_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), CLI, ...args];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function tempDir(prefix = 'flotilla-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface HTTPResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export class APIServerProcess {
  proc?: ChildProcess;
  port = 0;
  output = '';
  private ca = '';
  private cert = '';
  private key = '';

  constructor(
    readonly dataDir: string,
    readonly extraArgs: string[] = [],
  ) {}

  get kubeconfig(): string {
    return join(this.dataDir, 'admin.kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  static async start(extraArgs: string[] = []): Promise<APIServerProcess> {
    const s = new APIServerProcess(await tempDir(), extraArgs);
    await s.start();
    return s;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.output = '';
    const proc = spawn(process.execPath, cliArgs(['apiserver', '--data-dir', this.dataDir, '--port', String(this.port), '--log-level', 'warn', ...this.extraArgs]), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout!.on('data', (d) => (this.output += d));
    proc.stderr!.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`apiserver exited with ${proc.exitCode}: ${this.output}`);
      if (existsSync(this.kubeconfig)) {
        this.ca = await readFile(join(this.dataDir, 'pki', 'ca.crt'), 'utf8');
        this.cert = await readFile(join(this.dataDir, 'pki', 'admin.crt'), 'utf8');
        this.key = await readFile(join(this.dataDir, 'pki', 'admin.key'), 'utf8');
        const r = await this.request('GET', '/readyz').catch(() => undefined);
        if (r?.status === 200) return;
      }
      if (Date.now() > deadline) throw new Error(`apiserver did not become ready: ${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the process: SIGTERM (graceful) or SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** An HTTPS request with the admin client certificate (or the given headers/credentials). */
  request(
    method: string,
    path: string,
    opts: { body?: string | Buffer; headers?: Record<string, string>; anonymous?: boolean; /** Leave the response unread this long first. */ readDelayMs?: number } = {},
  ): Promise<HTTPResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          ca: this.ca,
          servername: 'localhost',
          ...(opts.anonymous ? {} : { cert: this.cert, key: this.key }),
          headers: {
            accept: 'application/json',
            ...(opts.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) });
          });
          if (opts.readDelayMs) {
            res.pause();
            setTimeout(() => res.resume(), opts.readDelayMs);
          }
        },
      );
      // A server that rejects a large body early may close the socket while the body is still being written: the
      // response can then arrive just after the write error.
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? setTimeout(() => reject(err), 500) : reject(err)));
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const KUBECTL_DEFAULT = '/usr/bin/kubectl';

/** The kubectl binaries to run the end-to-end suite with: the default and, where present, 1.27 and 1.33. */
export function kubectlBinaries(): { version: string; path: string }[] {
  const found: { version: string; path: string }[] = [];
  if (existsSync(KUBECTL_DEFAULT)) found.push({ version: 'default', path: KUBECTL_DEFAULT });
  for (const v of ['1.27', '1.33']) {
    const p = `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
    if (existsSync(p)) found.push({ version: v, path: p });
  }
  return found;
}

export function kubectl(bin: string, kubeconfig: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(kubeconfig, '..', 'kubectl-cache'), ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

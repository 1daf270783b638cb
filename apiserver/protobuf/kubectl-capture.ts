// Test-only: runs the real kubectl against a throwaway plain-HTTP server that records the bodies kubectl sends and
// answers with whatever the test wants kubectl to decode. No discovery is served: `kubectl create <kind>` needs none.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = '/usr/bin/kubectl';
export const kubectlMissing = existsSync(KUBECTL) ? false : `${KUBECTL} is not installed`;

export interface CapturedRequest {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

export interface Reply {
  contentType: string;
  body: Buffer;
}

export interface KubectlRun {
  /** The create/update requests, in order. */
  requests: CapturedRequest[];
  stdout: string;
}

/** Echoes the request back, which is a valid reply to any create. */
const echo = (req: CapturedRequest): Reply => ({ contentType: req.contentType, body: req.body });

/** Runs `kubectl ARGS --server http://127.0.0.1:PORT` with an empty home, replying to writes with `reply`. */
export async function runKubectl(args: string[], reply: (req: CapturedRequest) => Reply = echo): Promise<KubectlRun> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      if (req.url?.startsWith('/version')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }));
      } else if (req.method === 'POST' || req.method === 'PUT') {
        const captured = { method: req.method, url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body };
        requests.push(captured);
        const { contentType, body: out } = reply(captured);
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': contentType });
        res.end(out);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      }
    }, (err: Error) => res.destroy(err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const home = mkdtempSync(join(tmpdir(), 'flotilla-kubectl-'));
  try {
    const { port } = server.address() as AddressInfo;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(KUBECTL, [...args, '--server', `http://127.0.0.1:${port}`], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: join(home, 'config') },
        timeout: 20_000,
      }, (err, out, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(out)));
    });
    return { requests, stdout };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

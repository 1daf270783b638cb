// Runs control-plane components as child processes: logs to files, restarts a child that dies (with backoff), and
// stops them all on request.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

export interface Component {
  name: string;
  args: string[];
}

export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(private readonly logDir: string) {}

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  async start(c: Component, restarts = 0): Promise<void> {
    await mkdir(this.logDir, { recursive: true });
    const log = createWriteStream(this.logFile(c.name), { flags: 'a' });
    const child = spawn(process.execPath, [CLI, ...c.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.children.set(c.name, child);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      this.children.delete(c.name);
      if (this.stopping) return;
      // A child that ran for a while starts over with a short delay; one that keeps crashing backs off.
      const n = Date.now() - startedAt > 30_000 ? 0 : restarts + 1;
      const delay = Math.min(500 * 2 ** n, 30_000);
      process.stderr.write(`flotilla: ${c.name} exited (${signal ?? code}); restarting in ${delay} ms (see ${this.logFile(c.name)})\n`);
      setTimeout(() => void this.start(c, n), delay);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

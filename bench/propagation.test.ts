// The benchmark's command line: what it refuses before it starts anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('./propagation.js', import.meta.url));

test('bench:propagation prints its usage for --help, and refuses unknown options and values that are not counts', () => {
  const cases: { args: string[]; status: number; stdout?: RegExp; stderr?: RegExp }[] = [
    { args: ['--help'], status: 0, stdout: /^usage: .*--warmup N/ },
    { args: ['--nope'], status: 2, stderr: /Unknown option '--nope'[\s\S]*usage:/ },
    { args: ['--warmup', 'abc'], status: 2, stderr: /^--warmup must be a non-negative number, not "abc"\n[\s\S]*usage:/ },
    { args: ['--members=-3', '--rate', '5x'], status: 2, stderr: /--members must be a non-negative number, not "-3"\n--rate must be a non-negative number, not "5x"/ },
  ];
  for (const c of cases) {
    const r = spawnSync(process.execPath, [BENCH, ...c.args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, c.status, `${c.args.join(' ')}: ${r.stderr}`);
    if (c.stdout) assert.match(r.stdout, c.stdout, c.args.join(' '));
    if (c.stderr) assert.match(r.stderr, c.stderr, c.args.join(' '));
  }
});

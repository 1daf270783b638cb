import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenFile } from './tokenfile.js';

async function tokenFile(t: { after(fn: () => Promise<void>): void }, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-tokens-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tokens.csv');
  await writeFile(path, content);
  return path;
}

test('parses kube static token file records', async (t) => {
  const path = await tokenFile(
    t,
    [
      '# token,user,uid,"groups"',
      'tok-admin,alice,uid-1,"system:masters,devs"',
      '',
      'tok-bob,bob,,one-group',
      'tok-carol,carol,uid-3',
      ',nobody,uid-4',
      'tok-dup,first,1',
      'tok-dup,second,2,"a,,b"',
    ].join('\n'),
  );
  const tokens = loadTokenFile(path);
  assert.deepEqual(
    Object.fromEntries(tokens),
    {
      'tok-admin': { username: 'alice', uid: 'uid-1', groups: ['system:masters', 'devs'] },
      'tok-bob': { username: 'bob', groups: ['one-group'] },
      'tok-carol': { username: 'carol', uid: 'uid-3', groups: [] },
      'tok-dup': { username: 'second', uid: '2', groups: ['a', 'b'] },
    },
  );
});

test('a record with fewer than 3 columns fails the load, naming the line', async (t) => {
  const path = await tokenFile(t, '# comment\ntok,alice,uid\n\ntok2,bob\n');
  assert.throws(() => loadTokenFile(path), /line 4: must have at least 3 columns \(token, user name, user uid\), found 2/);
});

test('a CSV syntax error fails the load, naming the line', async (t) => {
  const path = await tokenFile(t, 'tok,alice,uid,"g1,g2\n');
  assert.throws(() => loadTokenFile(path), (err: Error) => err.message.includes(path) && /line 2/.test(err.message));
  const bare = await tokenFile(t, 'tok,alice,uid\ntok2,b"ob,uid\n');
  assert.throws(() => loadTokenFile(bare), /line 2, column 7: bare "/);
});

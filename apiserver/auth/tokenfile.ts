// kube-apiserver's --token-auth-file: static bearer tokens in CSV, `token,user,uid[,"group1,group2"]`.
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.js';
import type { UserInfo } from './user.js';

/**
 * Reads the token file once, at start-up; like kube, any malformed record fails the whole load. Unlike kube,
 * lines starting with # are comments, and empty group names are dropped rather than kept as "".
 */
export function loadTokenFile(path: string): Map<string, UserInfo> {
  let records;
  try {
    records = parseCsv(readFileSync(path, 'utf8'), { comment: '#' });
  } catch (err) {
    throw new Error(`token file '${path}': ${(err as Error).message}`);
  }
  const tokens = new Map<string, UserInfo>();
  for (const { line, fields } of records) {
    if (fields.length < 3) {
      throw new Error(
        `token file '${path}' line ${line}: must have at least 3 columns (token, user name, user uid), found ${fields.length}`,
      );
    }
    const [token, username, uid, groups] = fields as [string, string, string, string | undefined];
    // kube skips empty tokens (with a warning) since no request can present one; a duplicate token is taken from
    // its last line, as in kube.
    if (token === '') continue;
    tokens.set(token, {
      username,
      ...(uid !== '' && { uid }),
      groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== ''),
    });
  }
  return tokens;
}

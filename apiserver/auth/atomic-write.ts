// Credentials are written whole or not at all, with their final mode in place before they become visible.
import { chmod, rename, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  // writeFile's mode only applies when it creates the file, and the temp file may be a leftover of a crash.
  await chmod(tmp, mode);
  await rename(tmp, path);
}

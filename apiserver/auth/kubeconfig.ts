// kubeconfig files for kubectl and client libraries, with every credential embedded so the file stands alone.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from './atomic-write.js';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  user: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  /** Name of both the cluster and the context; defaults to "flotilla". */
  name?: string;
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'flotilla';
  const user: Record<string, string> = {};
  if (opts.clientCertPem !== undefined) user['client-certificate-data'] = b64(opts.clientCertPem);
  if (opts.clientKeyPem !== undefined) user['client-key-data'] = b64(opts.clientKeyPem);
  if (opts.token !== undefined) user.token = opts.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    users: [{ name: opts.user, user }],
    contexts: [{ name, context: { cluster: name, user: opts.user } }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes the kubeconfig readable by its owner only, since it carries credentials. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, kubeconfigYaml(opts), 0o600);
}

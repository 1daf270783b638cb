// `flotilla join` / `flotilla unjoin`: register a member cluster in push mode, as karmadactl join does: its
// credentials in a Secret in karmada-cluster, and a Cluster pointing at them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from '../controllers/runtime/client.js';
import { parseLabels } from './members.js';

export const CLUSTER_SECRET_NAMESPACE = 'karmada-cluster';

const FED_FLAGS = { kubeconfig: { type: 'string' } } as const;

function controlPlane(kubeconfig: string | undefined): k8s.KubernetesObjectApi {
  // Its requests (discovery, then each object) share a connection instead of a TLS handshake each.
  const kc = new KeepAliveKubeConfig(4);
  kc.loadFromFile(resolve(kubeconfig ?? process.env.KUBECONFIG ?? '.flotilla/admin.kubeconfig'));
  return k8s.KubernetesObjectApi.makeApiClient(kc);
}

function status(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

/** Creates the object, or replaces it keeping its resourceVersion when it exists. */
async function apply(api: k8s.KubernetesObjectApi, obj: k8s.KubernetesObject): Promise<void> {
  try {
    await api.create(obj);
  } catch (err) {
    if (status(err) !== 409) throw err;
    const live = await api.read(obj as Parameters<typeof api.read>[0]);
    await api.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion } });
  }
}

/** The member's API endpoint and credentials, read from its kubeconfig (inline data or files). */
export function memberCredentials(file: string, context?: string): { server: string; data: Record<string, string> } {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(resolve(file));
  if (context) kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new Error(`no cluster for context "${kc.getCurrentContext()}" in ${file}`);
  const b64 = (inline: string | undefined, path: string | undefined) => inline ?? (path ? readFileSync(path).toString('base64') : undefined);
  const data: Record<string, string> = {};
  const ca = b64(cluster.caData, cluster.caFile);
  if (ca) data.caBundle = ca;
  if (user?.token) data.token = Buffer.from(user.token).toString('base64');
  const cert = b64(user?.certData, user?.certFile);
  const key = b64(user?.keyData, user?.keyFile);
  if (cert && key) {
    data['tls.crt'] = cert;
    data['tls.key'] = key;
  }
  if (!data.token && !data['tls.crt']) throw new Error(`the kubeconfig ${file} has neither a token nor a client certificate`);
  return { server: cluster.server, data };
}

export interface JoinOptions {
  name: string;
  clusterKubeconfig: string;
  clusterContext?: string;
  /** The control plane's kubeconfig. */
  kubeconfig?: string;
  provider?: string;
  region?: string;
  zones?: string[];
  labels?: Record<string, string>;
}

export async function joinCluster(o: JoinOptions): Promise<void> {
  const { server, data } = memberCredentials(o.clusterKubeconfig, o.clusterContext);
  const api = controlPlane(o.kubeconfig);
  // Joins may run in parallel: the namespace is created once, never replaced.
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLUSTER_SECRET_NAMESPACE } }).catch((err) => {
    if (status(err) !== 409) throw err;
  });
  await apply(api, { apiVersion: 'v1', kind: 'Secret', metadata: { name: o.name, namespace: CLUSTER_SECRET_NAMESPACE }, type: 'Opaque', data } as k8s.KubernetesObject);
  await apply(api, {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: o.name, labels: o.labels ?? {} },
    spec: {
      syncMode: 'Push',
      apiEndpoint: server,
      secretRef: { namespace: CLUSTER_SECRET_NAMESPACE, name: o.name },
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(o.zones?.length ? { zones: o.zones } : {}),
    },
  } as k8s.KubernetesObject);
}

export async function runJoin(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      ...FED_FLAGS,
      'cluster-kubeconfig': { type: 'string' },
      'cluster-context': { type: 'string' },
      provider: { type: 'string' },
      region: { type: 'string' },
      zones: { type: 'string' },
      labels: { type: 'string', default: '' },
    },
  });
  const [name] = positionals;
  if (!name) throw new Error('usage: flotilla join NAME --cluster-kubeconfig FILE');
  if (!values['cluster-kubeconfig']) throw new Error('--cluster-kubeconfig is required');
  await joinCluster({
    name,
    clusterKubeconfig: values['cluster-kubeconfig'],
    clusterContext: values['cluster-context'],
    kubeconfig: values.kubeconfig,
    provider: values.provider,
    region: values.region,
    zones: values.zones?.split(',').map((z) => z.trim()).filter(Boolean),
    labels: parseLabels(values.labels!),
  });
  process.stdout.write(`cluster(${name}) is joined successfully\n`);
  return 0;
}

export async function runUnjoin(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { ...FED_FLAGS, timeout: { type: 'string', default: '60' } } });
  const [name] = positionals;
  if (!name) throw new Error('usage: flotilla unjoin NAME');
  const api = controlPlane(values.kubeconfig);
  const cluster = { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name } };
  await api.delete(cluster).catch((err) => {
    if (status(err) !== 404) throw err;
  });
  // The controllers clean up what they made for the cluster before its finalizer lets the Cluster go.
  const deadline = Date.now() + Number(values.timeout) * 1000;
  for (;;) {
    try {
      await api.read(cluster);
    } catch (err) {
      if (status(err) === 404) break;
      throw err;
    }
    if (Date.now() > deadline) throw new Error(`cluster ${name} was not removed within ${values.timeout} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await api.delete({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: CLUSTER_SECRET_NAMESPACE } }).catch((err) => {
    if (status(err) !== 404) throw err;
  });
  process.stdout.write(`cluster(${name}) is unjoined successfully\n`);
  return 0;
}

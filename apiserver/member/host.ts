// Runs simulated member clusters: one API runtime plus a workload simulator per member. One member is served at the
// root (`flotilla member`); many share one process, one store and one port under /clusters/NAME (`flotilla members`),
// so that a 100-member benchmark does not need 100 processes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SchemaRegistry } from '../../openapi/schemas.js';
import { LevelStore } from '../../storage/leveldb.js';
import { PrefixedStore } from '../../storage/prefixed.js';
import { startAPIRuntime, listenHTTPS, VERSION_INFO, type APIRuntime } from '../apiserver.js';
import { Authenticator, httpsServerOptions } from '../auth/authn.js';
import { writeKubeconfig } from '../auth/kubeconfig.js';
import { ensurePKI } from '../auth/pki.js';
import { APIError, badRequest, notFound, toStatus } from '../errors.js';
import { clusterPrefix, createHTTPServer, type APIInstance } from '../http/server.js';
import { APIServerMetrics } from '../metrics.js';
import { WorkloadSimulator, type SimulatorOptions, type WorkloadChange } from './simulator.js';

export interface MemberSpec {
  name: string;
  simulator: Omit<SimulatorOptions, 'clusterName'>;
}

export interface MembersOptions {
  dataDir: string;
  port: number;
  bindAddress?: string;
  members: MemberSpec[];
  /** Serve the single member at the root instead of under /clusters/NAME. */
  root?: boolean;
  /**
   * Keep every workload change the simulators see, for `GET /members/workload-changes` (benchmarks: each member's
   * own record of when an object arrived, where a watch on every member's objects takes CPU from the processes
   * under test). Held in memory for as long as the process runs.
   */
  recordWorkloadChanges?: boolean;
  logger: Logger;
}

/** A workload change as GET /members/workload-changes lists it: with the member it happened in. */
export type MemberWorkloadChange = WorkloadChange & { member: string };

interface RunningMember {
  runtime: APIRuntime;
  simulator: WorkloadSimulator;
  online: boolean;
  kubeconfigPath: string;
}

export interface RunningMembers {
  baseURL: string;
  port: number;
  kubeconfigs: Map<string, string>;
  /** Takes a member offline (every request answers 503) or back online. */
  setOnline(name: string, online: boolean): void;
  close(): Promise<void>;
}

export async function startMembers(opts: MembersOptions): Promise<RunningMembers> {
  await mkdir(opts.dataDir, { recursive: true });
  const pki = await ensurePKI(opts.dataDir);
  // The simulated members stand in for clusters of their own: the memory their history and LevelDB's write buffer
  // take is not the control plane's, but the CPU deflating the history (about 100 µs per write; 13 CPU seconds in a
  // 40,000-Work burst) and merging LevelDB's smaller tables would take is taken from it.
  const store = await LevelStore.open(join(opts.dataDir, 'store'), { logger: opts.logger, deflateHistory: false, writeBufferSize: 32 * 1024 * 1024 });
  const schemas = new SchemaRegistry();
  const members = new Map<string, RunningMember>();
  const instances = new Map<string, APIInstance>();
  const changes: MemberWorkloadChange[] | undefined = opts.recordWorkloadChanges ? [] : undefined;
  for (const spec of opts.members) {
    const logger = opts.logger.child({ cluster: spec.name });
    const memberStore = opts.root ? store : new PrefixedStore(store, clusterPrefix(spec.name));
    const runtime = await startAPIRuntime(memberStore, schemas, logger);
    const onWorkloadChange = changes && ((c: WorkloadChange) => changes.push({ member: spec.name, ...c }));
    const simulator = new WorkloadSimulator(runtime.registry, { clusterName: spec.name, ...spec.simulator, onWorkloadChange }, logger);
    await simulator.start();
    const member: RunningMember = {
      runtime,
      simulator,
      online: true,
      kubeconfigPath: opts.root ? join(opts.dataDir, 'admin.kubeconfig') : join(opts.dataDir, spec.name, 'admin.kubeconfig'),
    };
    members.set(spec.name, member);
    instances.set(spec.name, { ...runtime.instance, available: () => member.online });
  }
  const app = createHTTPServer({
    https: httpsServerOptions(pki),
    authenticator: new Authenticator({ caPem: pki.caCertPem }),
    logger: opts.logger,
    metrics: new APIServerMetrics(),
    version: VERSION_INFO,
    instances: opts.root ? { root: instances.get(opts.members[0].name)! } : { clusters: instances },
  });
  const setOnline = (name: string, online: boolean) => {
    const m = members.get(name);
    if (!m) throw notFound({ group: '', resource: 'members' }, name);
    m.online = online;
    opts.logger.info({ cluster: name, online }, 'member availability changed');
  };
  registerMemberControl(app, setOnline, changes);
  const { port, baseURL } = await listenHTTPS(app, opts.bindAddress ?? '127.0.0.1', opts.port);
  const kubeconfigs = new Map<string, string>();
  for (const [name, m] of members) {
    const server = opts.root ? baseURL : `${baseURL}${clusterPrefix(name)}`;
    await writeKubeconfig(m.kubeconfigPath, { server, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem, name });
    kubeconfigs.set(name, m.kubeconfigPath);
  }
  opts.logger.info({ url: baseURL, members: members.size }, 'members listening');
  return {
    baseURL,
    port,
    kubeconfigs,
    setOnline,
    async close() {
      for (const m of members.values()) {
        m.simulator.stop();
        m.runtime.stop();
      }
      await app.close();
      await store.close();
    },
  };
}

const sendJSON = (reply: FastifyReply, code: number, body: unknown) => reply.code(code).header('content-type', 'application/json').send(Buffer.from(JSON.stringify(body)));

/**
 * Authenticated like every request:
 * - `PUT /members/NAME/online` with body `true` or `false` simulates a member outage for health-monitoring tests
 *   without stopping the process;
 * - `GET /members/workload-changes?since=N` answers `{"next": M, "items": [...]}`, the changes recorded from the Nth
 *   on (see MembersOptions.recordWorkloadChanges); ask again with since=M for the later ones.
 */
function registerMemberControl(app: FastifyInstance, setOnline: (name: string, online: boolean) => void, changes: MemberWorkloadChange[] | undefined): void {
  app.put('/members/:name/online', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8').trim() : '';
    if (body !== 'true' && body !== 'false') return sendJSON(reply, 400, toStatus(badRequest('the body must be true or false')));
    setOnline((req.params as { name: string }).name, body === 'true');
    return reply.code(204).send();
  });
  app.get('/members/workload-changes', async (req, reply) => {
    if (!changes) return sendJSON(reply, 404, toStatus(new APIError(404, 'NotFound', 'workload changes are recorded only with --record-workload-changes', {})));
    const since = (req.query as { since?: string }).since ?? '0';
    if (!/^\d+$/.test(since)) return sendJSON(reply, 400, toStatus(badRequest(`since must be a count of changes, not "${since}"`)));
    return sendJSON(reply, 200, { next: changes.length, items: changes.slice(Number(since)) });
  });
}

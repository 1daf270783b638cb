// The skeleton shared by the controller-manager and scheduler processes: API clients and shared informers, a
// health and metrics HTTP server, leader election, and the controllers that run while this process leads.
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { loadClients } from './client.js';
import type { Controller, ControllerContext } from './controller.js';
import { EventBroadcaster } from './events.js';
import { InformerFactory } from './informer.js';
import { LeaderElector, defaultIdentity } from './leaderelection.js';
import { ComponentMetrics } from './metrics.js';
import { userAgentOf } from './useragent.js';

export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ComponentConfig {
  /** Process name in logs, e.g. controller-manager. */
  component: string;
  kubeconfig: string;
  bindAddress: string;
  port: number;
  logLevel: string;
  /** Absent: run the controllers at once, without a Lease (a single replica). */
  leaderElection?: LeaderElectionSettings;
}

/**
 * Runs the process until shutdown aborts (resolves 0), leadership is lost or a controller fails to start (resolves
 * 1: the process should exit and be restarted, as kube-controller-manager does, rather than lead again with work
 * that may not have stopped). Everything it started is stopped before it resolves.
 */
export async function runComponent(config: ComponentConfig, controllers: Controller[], shutdown: AbortSignal): Promise<number> {
  const logger = pino({ level: config.logLevel, base: { component: config.component, pid: process.pid } });
  const metrics = new ComponentMetrics();
  // Named as Karmada's components are (karmada-scheduler, karmada-controller-manager), in the fields they write.
  const client = loadClients(config.kubeconfig, userAgentOf(`flotilla-${config.component}`));
  const informers = new InformerFactory(client.kc, logger);
  const events = new EventBroadcaster(client.kc, logger);
  const le = config.leaderElection;
  // Stopped by shutdown, or by a controller failing to start: either way, a leader releases its Lease on the way out.
  const fail = new AbortController();
  const stop = AbortSignal.any([shutdown, fail.signal]);
  let leading = false;
  let controllersStarted = false;

  const runControllers = async (signal: AbortSignal): Promise<void> => {
    // Every controller, queue and informer listens on this one signal; that many listeners is by design.
    setMaxListeners(0, signal);
    try {
      // All at once, as controller-runtime's manager starts its controllers: each waits for its own caches, and one
      // after the other a controller's lists began only once every controller before it had synced (at a cold start
      // with 40,000 Works, the Work informer's list 4 s late, behind the detector's).
      await Promise.all(
        controllers.map((c) => {
          const ctx: ControllerContext = { informers, client, logger: logger.child({ controller: c.name }), metrics, events, signal };
          logger.info({ controller: c.name }, 'starting controller');
          return c.start(ctx);
        }),
      );
      controllersStarted = !signal.aborted;
      if (controllersStarted) logger.info({ controllers: controllers.map((c) => c.name) }, 'controllers started');
      await aborted(signal);
    } catch (err) {
      if (signal.aborted) return;
      logger.error({ err }, 'controller failed to start; stopping');
      fail.abort();
    } finally {
      controllersStarted = false;
    }
  };

  const ready = (): string | undefined => {
    if (!informers.hasSynced()) return 'informers not synced';
    if ((leading || !le) && !controllersStarted) return 'controllers not started';
    return undefined;
  };
  const server = await serveHealth(config, metrics, ready, logger);
  logger.info({ address: `http://${config.bindAddress}:${config.port}`, controllers: controllers.map((c) => c.name) }, `${config.component} started`);

  try {
    if (!le) {
      await runControllers(stop);
      return fail.signal.aborted ? 1 : 0;
    }
    const identity = defaultIdentity();
    metrics.leaderStatus.set({ name: le.name }, 0);
    const elector = new LeaderElector(client.coordination, {
      ...le,
      identity,
      logger,
      callbacks: {
        onStartedLeading: async (signal) => {
          leading = true;
          metrics.leaderStatus.set({ name: le.name }, 1);
          await runControllers(signal);
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.leaderStatus.set({ name: le.name }, 0);
        },
      },
    });
    const stoppedOnRequest = await elector.run(stop);
    return stoppedOnRequest && !fail.signal.aborted ? 0 : 1;
  } finally {
    await informers.stop();
    await client.kc.close();
    await closeServer(server);
    logger.info(`${config.component} stopped`);
  }
}

/** /healthz (the process is serving), /readyz (ready() has no complaint) and /metrics, over plain HTTP. */
async function serveHealth(config: ComponentConfig, metrics: ComponentMetrics, ready: () => string | undefined, logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return reply(200, 'ok');
      case '/readyz': {
        const reason = ready();
        return reason ? reply(503, `not ready: ${reason}\n`) : reply(200, 'ok');
      }
      case '/metrics':
        return void metrics.registry.metrics().then(
          (text) => reply(200, text, metrics.registry.contentType),
          (err) => {
            logger.error({ err }, 'collecting metrics failed');
            reply(500, 'collecting metrics failed\n');
          },
        );
      default:
        return reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

// The HTTP layer: fastify over HTTPS, authentication, content negotiation and routing of the Kubernetes REST paths to
// the request handlers. Nothing below this layer knows about HTTP.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authn.js';
import { APIError, badRequest, internalError, methodNotAllowed, requestEntityTooLarge, toStatus, unauthorized, unsupportedMediaType } from '../errors.js';
import { deleteCollection, deleteObject } from '../handlers/delete.js';
import { getObject, isWatch, listObjects, watchObjects } from '../handlers/read.js';
import type { ObjectResult, RequestScope, ServerContext, UserInfo, WatchEvent } from '../handlers/scope.js';
import { getScale, patchScale, updateScale } from '../handlers/scale.js';
import { applyObject, createObject, patchObject, updateObject } from '../handlers/write.js';
import { mediaType as bodyMediaType } from './negotiation.js';
import type { APIServerMetrics } from '../metrics.js';
import { ALL_VERBS, type ResourceType } from '../registry/types.js';
import { warningHeaderValue } from '../../openapi/messages.js';
import { openApiV3ResponseHeaders, type ServedDocument } from '../../openapi/schemas.js';
import { Discovery, type CachedDocument } from './discovery.js';
import { negotiate, type Representation } from './negotiation.js';
import { encodeResult, watchEncoder } from './render.js';
import { parseResourcePath, type RequestInfo } from './requestinfo.js';

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;
const WATCH_BUFFER_BYTES = 16 * 1024 * 1024;
const READ_LIMIT_BYTES = 32 * 1024 * 1024;
const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export interface OpenAPIService {
  index(resources: ResourceType[]): ServedDocument;
  document(groupVersionPath: string, resources: ResourceType[]): ServedDocument | undefined;
}

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/** One served Kubernetes API: the control plane's, or one member cluster's in a members process. */
export interface APIInstance {
  context: ServerContext;
  openapi: OpenAPIService;
  healthChecks: HealthCheck[];
  /** False while the instance is taken offline (a simulated member outage): every request answers 503. */
  available?: () => boolean;
}

export interface HTTPServerOptions {
  https: Record<string, unknown>;
  authenticator: Authenticator;
  logger: Logger;
  metrics: APIServerMetrics;
  version: Record<string, string>;
  /** Served at the root, or each under `/clusters/NAME` (as kcp serves logical clusters). */
  instances: { root: APIInstance } | { clusters: Map<string, APIInstance> };
  /**
   * A watch whose client leaves more than this many bytes of live events unread is closed (default 16 MiB), as
   * kube's cacher closes a watcher that does not keep up: otherwise every event would pile up in memory for it.
   */
  watchBufferBytes?: number;
}

export const clusterPrefix = (name: string) => `/clusters/${name}`;

interface RequestLog {
  cluster?: string;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserInfo;
    kube?: RequestLog;
  }
}

const OPEN_PATHS = /^(\/clusters\/[^/]+)?\/(healthz|livez|readyz|version|metrics)(\/|\?|$)/;

/** When the request arrived, and when its response was handed to the connection. */
function timing(req: FastifyRequest): { startNs?: bigint; sentNs?: bigint } {
  return req as { startNs?: bigint; sentNs?: bigint };
}

// Bodies go out as Buffers: fastify rewrites the Content-Type of string payloads (quoted parameters, a charset),
// and clients compare kube's media types as sent.
function send(reply: FastifyReply, code: number, contentType: string, body: string | Buffer): FastifyReply {
  return reply.code(code).header('content-type', contentType).header('cache-control', 'no-cache, private').send(typeof body === 'string' ? Buffer.from(body) : body);
}

function sendError(reply: FastifyReply, err: APIError): FastifyReply {
  return send(reply, err.code, 'application/json', JSON.stringify(toStatus(err)));
}

const NOT_FOUND = () => new APIError(404, 'NotFound', 'the server could not find the requested resource', {});

function sendCached(req: FastifyRequest, reply: FastifyReply, doc: CachedDocument, contentType: string, cacheControl = 'no-cache, private'): FastifyReply {
  reply.header('etag', doc.etag).header('vary', 'Accept').header('cache-control', cacheControl);
  if (req.headers['if-none-match'] === doc.etag) return reply.code(304).send();
  return reply.code(200).header('content-type', contentType).send(Buffer.from(doc.body));
}

export function createHTTPServer(opts: HTTPServerOptions): FastifyInstance {
  const { logger, metrics } = opts;
  const app = Fastify({
    https: opts.https as never,
    logger: false,
    // Bodies over the limit are still read (up to a hard cap) so that the 413 reaches a client that is still
    // sending, instead of a reset connection.
    bodyLimit: READ_LIMIT_BYTES,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) =>
    (body as Buffer).length > MAX_REQUEST_BODY_BYTES ? done(requestEntityTooLarge(MAX_REQUEST_BODY_BYTES), undefined) : done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    timing(req).startNs = process.hrtime.bigint();
    if (OPEN_PATHS.test(req.url)) return;
    const user = opts.authenticator.authenticate({ socket: req.raw.socket, headers: req.headers });
    if (user === null || user === 'invalid') return sendError(reply, unauthorized());
    req.user = user;
  });

  // A request's latency ends when its response is handed to the connection, as kube-apiserver's ends when its handler
  // has written it. The 'finish' that onResponse follows comes later on a TLS socket: Node defers it to the end of the
  // event loop's turn, which in a busy apiserver is tens of milliseconds after the client has the response (and a
  // response larger than the socket's buffers finishes only when the client has read most of it). Watches, which are
  // not sent this way, still end at 'finish'.
  app.addHook('onSend', (req, _reply, payload, done) => {
    timing(req).sentNs = process.hrtime.bigint();
    done(null, payload);
  });

  app.addHook('onResponse', async (req, reply) => {
    const { startNs, sentNs } = timing(req);
    const end = sentNs ?? process.hrtime.bigint();
    const latencyMs = Number(end - (startNs ?? end)) / 1e6;
    const k = req.kube;
    logger.info({ cluster: k?.cluster, verb: k?.verb ?? req.method, resource: k?.resource, subresource: k?.subresource, namespace: k?.namespace, name: k?.name, path: k ? undefined : req.url.split('?')[0], code: reply.statusCode, latencyMs: Math.round(latencyMs * 100) / 100, user: req.user?.username }, 'request');
    if (k?.resource) {
      const labels = { verb: k.verb.toUpperCase(), group: k.group ?? '', resource: k.resource, subresource: k.subresource ?? '' };
      metrics.requests.inc({ ...labels, code: String(reply.statusCode) });
      metrics.latency.observe(labels, latencyMs / 1000);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof APIError) return sendError(reply, err);
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply.header('connection', 'close'), requestEntityTooLarge(MAX_REQUEST_BODY_BYTES));
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, unsupportedMediaType(['application/json', 'application/yaml']));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return sendError(reply, badRequest(e.message));
    logger.error({ err, url: req.url }, 'internal error');
    return sendError(reply, internalError(err));
  });

  app.setNotFoundHandler((_req, reply) => sendError(reply, NOT_FOUND()));
  app.get('/metrics', async (_req, reply) => send(reply, 200, metrics.registry.contentType, await metrics.registry.metrics()));

  if ('root' in opts.instances) registerAPI(app, opts.instances.root, '', opts);
  else
    for (const [name, instance] of opts.instances.clusters)
      app.register(async (scoped) => registerAPI(scoped, instance, clusterPrefix(name), opts, name), { prefix: clusterPrefix(name) });
  return app;
}

/** The Kubernetes API routes of one instance, relative to its prefix. */
function registerAPI(app: FastifyInstance, instance: APIInstance, prefix: string, opts: HTTPServerOptions, cluster?: string): void {
  const { logger } = opts;
  const { context } = instance;
  const discovery = new Discovery(context.registry);
  if (instance.available) {
    const available = instance.available;
    app.addHook('onRequest', async (_req, reply) => {
      if (!available()) return sendError(reply, new APIError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'));
    });
  }

  app.get('/version', async (_req, reply) => send(reply, 200, 'application/json', JSON.stringify(opts.version)));

  const health = async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply, kind: string, only?: string) => {
    const checks = instance.healthChecks.filter((c) => !only || c.name === only);
    if (only && checks.length === 0) return sendError(reply, NOT_FOUND());
    const lines: string[] = [];
    let failed = false;
    for (const c of checks) {
      try {
        await c.check();
        lines.push(`[+]${c.name} ok`);
      } catch (err) {
        failed = true;
        lines.push(`[-]${c.name} failed: reason withheld`);
        logger.warn({ check: c.name, err }, `${kind} check failed`);
      }
    }
    const verbose = req.query.verbose !== undefined;
    const body = failed ? `${lines.join('\n')}\n${kind} check failed` : verbose && !only ? `${lines.join('\n')}\n${kind} check passed\n` : 'ok';
    return send(reply, failed ? 500 : 200, 'text/plain; charset=utf-8', body);
  };
  for (const kind of ['healthz', 'livez', 'readyz']) {
    app.get(`/${kind}`, (req, reply) => health(req as never, reply, kind));
    app.get(`/${kind}/:check`, (req, reply) => health(req as never, reply, kind, (req.params as { check: string }).check));
  }

  // OpenAPI v2 is served empty: kubectl ≤1.27 fetches it (protobuf) before every validated write and fails without
  // it, while field validation and explain use /openapi/v3. An empty document makes kubectl fall back to its
  // compiled-in types for client-side patch metadata.
  app.get('/openapi/v2', async (req, reply) => {
    if ((req.headers.accept ?? '').includes('protobuf')) return send(reply, 200, OPENAPI_V2_PROTOBUF, '');
    return send(reply, 200, 'application/json', JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: opts.version.gitVersion }, paths: {}, definitions: {} }));
  });

  app.get('/openapi/v3', async (req, reply) => sendCached(req, reply, instance.openapi.index(context.registry.all()), 'application/json'));
  app.get('/openapi/v3/*', async (req, reply) => {
    const gvPath = (req.params as { '*': string })['*'].replace(/\/$/, '');
    const doc = instance.openapi.document(gvPath, context.registry.all());
    if (!doc) return sendError(reply, NOT_FOUND());
    const { status, headers } = openApiV3ResponseHeaders(gvPath, doc, (req.query as Record<string, string>).hash);
    if (headers.location) headers.location = prefix + headers.location;
    reply.headers(headers);
    if (status === 301) return reply.code(301).send();
    if (req.headers['if-none-match'] === doc.etag) return reply.code(304).send();
    return reply.code(200).send(Buffer.from(doc.body));
  });

  const discoveryRoot = (legacy: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const rep = negotiate(req.headers.accept, { transforms: false, discovery: true, yaml: false });
    if (rep.kind === 'discovery') {
      const doc = discovery.aggregated(legacy, rep.version);
      return sendCached(req, reply, doc, `application/json;g=apidiscovery.k8s.io;v=${rep.version};as=APIGroupDiscoveryList`);
    }
    if (legacy) {
      const address = `${req.socket.localAddress?.replace(/^::ffff:/, '')}:${req.socket.localPort}`;
      return send(reply, 200, 'application/json', JSON.stringify(discovery.apiVersions(address)));
    }
    return sendCached(req, reply, discovery.apiGroupList(), 'application/json');
  };
  app.get('/api', discoveryRoot(true));
  app.get('/apis', discoveryRoot(false));

  const resource = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0].slice(prefix.length);
    const info = parseResourcePath(path);
    if (!info) return sendError(reply, NOT_FOUND());
    if (!info.resource) {
      if (req.method !== 'GET') return sendError(reply, methodNotAllowed());
      const doc = path.startsWith('/api/') || info.version ? discovery.apiResourceList(info.group, info.version) : undefined;
      if (doc) return sendCached(req, reply, doc, 'application/json');
      return sendError(reply, NOT_FOUND());
    }
    return serveResource(req, reply, info);
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/*', handler: resource });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/apis/*', handler: resource });
  // /apis/GROUP is a group document, not a resource path.
  app.get('/apis/:group', async (req, reply) => {
    const doc = discovery.apiGroupDoc((req.params as { group: string }).group);
    if (!doc) return sendError(reply, NOT_FOUND());
    return sendCached(req, reply, doc, 'application/json');
  });

  async function serveResource(req: FastifyRequest, reply: FastifyReply, info: RequestInfo) {
    const rt = context.registry.lookup(info.group, info.version, info.resource!);
    if (!rt || (!rt.namespaced && info.namespace !== undefined)) return sendError(reply, NOT_FOUND());
    const allowedSub =
      info.subresource === undefined ||
      (info.subresource === 'status' && rt.subresources?.status) ||
      (info.subresource === 'scale' && rt.subresources?.scale) ||
      (info.subresource === 'finalize' && rt.kind === 'Namespace' && !rt.group);
    if (!allowedSub) return sendError(reply, NOT_FOUND());
    const scope: RequestScope = {
      server: context,
      rt,
      store: context.registry.storeFor(rt),
      namespace: info.namespace,
      name: info.name,
      subresource: info.subresource,
      query: req.query as Record<string, string>,
      user: req.user,
      userAgent: req.headers['user-agent'],
      body: Buffer.isBuffer(req.body) ? req.body : undefined,
      contentType: req.headers['content-type'],
      warnings: [],
    };
    const verb = verbOf(req.method, scope, info);
    req.kube = { cluster, verb, group: rt.group, resource: rt.plural, subresource: info.subresource, namespace: info.namespace, name: info.name };
    if (!(rt.verbs ?? ALL_VERBS).includes(verb) && !(info.subresource && ['get', 'update', 'patch'].includes(verb))) return sendError(reply, methodNotAllowed());
    if (info.subresource === 'finalize' && verb !== 'update') return sendError(reply, methodNotAllowed());
    const rep = negotiate(req.headers.accept, { transforms: verb === 'get' || verb === 'list' || verb === 'watch', discovery: false, yaml: verb !== 'watch' });
    if (verb === 'watch') return serveWatch(req, reply, scope, rep);
    const result = await dispatch(verb, scope);
    const warnings = scope.warnings.map(warningHeaderValue).filter((w): w is string => w !== undefined);
    if (warnings.length) reply.header('warning', warnings);
    const encoded = encodeResult(result, rep, rt, scope.query);
    const contentType = rep.kind === 'table' || rep.kind === 'partial' ? `application/json;as=${rep.kind === 'table' ? 'Table' : result.list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata'};v=${rep.version};g=meta.k8s.io` : encoded.contentType;
    return send(reply, result.code, contentType, encoded.body);
  }

  function serveWatch(req: FastifyRequest, reply: FastifyReply, scope: RequestScope, rep: Representation) {
    // A watch on /watch/…/NAME is a watch of that one object.
    if (scope.name !== undefined) scope.query = { ...scope.query, fieldSelector: [scope.query.fieldSelector, `metadata.name=${scope.name}`].filter(Boolean).join(',') };
    const stream = watchObjects(scope);
    const encode = watchEncoder(rep, scope.rt, scope.query);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': rep.kind === 'table' ? `application/json;as=Table;v=${rep.version};g=meta.k8s.io` : 'application/json',
      'cache-control': 'no-cache, private',
      'transfer-encoding': 'chunked',
    });
    // Clients wait for the response headers before they count a watch as established.
    res.flushHeaders();
    const gauge = { group: scope.rt.group, resource: scope.rt.plural };
    const { metrics } = opts;
    const bufferLimit = opts.watchBufferBytes ?? WATCH_BUFFER_BYTES;
    metrics.watchers.inc(gauge);
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      metrics.watchers.dec(gauge);
      stop();
      res.end();
    };
    let written = 0;
    let backfilled = 0;
    const send = (e: WatchEvent, backfill: boolean) => {
      const frame = encode(e);
      res.write(frame);
      written += frame.length;
      if (backfill) {
        backfilled += frame.length;
        return;
      }
      // The response goes out in order, so what is still unsent of the backfill sits ahead of the live events.
      const unsent = res.writableLength;
      const live = unsent - Math.max(0, backfilled - (written - unsent));
      if (live <= bufferLimit) return;
      logger.warn({ cluster, ...gauge, user: req.user?.username, unsentBytes: unsent }, 'forcing watcher close due to unresponsiveness');
      metrics.terminatedWatchers.inc(gauge);
      end();
    };
    const stop = stream.start(send, end);
    req.raw.on('close', end);
    res.on('close', end);
  }

}

function verbOf(method: string, scope: RequestScope, info: RequestInfo): string {
  switch (method) {
    case 'GET':
      if (scope.name !== undefined && !info.watchPath) return 'get';
      return isWatch(scope, info.watchPath) ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return scope.name !== undefined ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

async function dispatch(verb: string, scope: RequestScope): Promise<ObjectResult> {
  const named = scope.name !== undefined;
  if (scope.subresource === 'scale') {
    if (verb === 'get') return getScale(scope);
    if (verb === 'update') return updateScale(scope);
    if (verb === 'patch') return patchScale(scope);
    throw methodNotAllowed();
  }
  switch (verb) {
    case 'get':
      return getObject(scope);
    case 'list':
      return listObjects(scope);
    case 'create':
      if (named) throw methodNotAllowed();
      return createObject(scope);
    case 'update':
      if (!named) throw methodNotAllowed();
      return updateObject(scope);
    case 'patch':
      if (!named) throw methodNotAllowed();
      return bodyMediaType(scope.contentType) === 'application/apply-patch+yaml' ? applyObject(scope) : patchObject(scope);
    case 'delete':
      return deleteObject(scope);
    case 'deletecollection':
      return deleteCollection(scope);
    default:
      throw methodNotAllowed();
  }
}

// get, list and watch.
import type { KObject } from '../../storage/store.js';
import { APIError, badRequest, invalid, toStatus } from '../errors.js';
import { groupVersion } from '../registry/registry.js';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.js';
import { encodedResult, type ObjectResult, type RequestScope, type WatchEvent, type WatchStream } from './scope.js';

export async function getObject(scope: RequestScope): Promise<ObjectResult> {
  return encodedResult(200, await scope.store.getEncoded(scope.namespace, scope.name!));
}

function selectors(scope: RequestScope) {
  const labelSelector = parseLabelSelector(scope.query.labelSelector);
  const fieldSelector = parseFieldSelector(scope.query.fieldSelector);
  scope.store.checkFieldSelector(fieldSelector);
  return { labelSelector, fieldSelector };
}

function parseLimit(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for limit: ${JSON.stringify(v)}`);
  return n || undefined;
}

export function listKind(scope: RequestScope): string {
  return scope.rt.listKind ?? `${scope.rt.kind}List`;
}

export async function listObjects(scope: RequestScope): Promise<ObjectResult> {
  validateListOptions(scope, false);
  const page = await scope.store.listEncoded(scope.namespace, {
    ...selectors(scope),
    limit: parseLimit(scope.query.limit),
    continue: scope.query.continue || undefined,
  });
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined && page.continue) metadata.remainingItemCount = page.remainingItemCount;
  const object = { kind: listKind(scope), apiVersion: groupVersion(scope.rt), metadata };
  return { code: 200, object, list: { items: page.items, metadata } };
}

/** kube's ValidateListOptions for the watch-list (sendInitialEvents) parameters. */
function validateListOptions(scope: RequestScope, watch: boolean): void {
  const q = scope.query;
  const sie = q.sendInitialEvents;
  if (sie === undefined) return;
  const errs: Parameters<typeof invalid>[2] = [];
  if (!watch) errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
  else {
    if (q.resourceVersionMatch !== 'NotOlderThan')
      errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" });
    if (!isTrue(q.allowWatchBookmarks))
      errs.push({ type: 'FieldValueForbidden', field: 'allowWatchBookmarks', detail: 'allowWatchBookmarks required when sendInitialEvents is set' });
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
}

export function isTrue(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

export function isWatch(scope: RequestScope, watchPath: boolean): boolean {
  return watchPath || isTrue(scope.query.watch);
}

/**
 * Watch semantics of kube's cacher: resourceVersion unset or "0" first replays the current state as ADDED events;
 * an exact version streams every change after it; too old a version ends in an ERROR event carrying 410 Expired.
 */
export function watchObjects(scope: RequestScope): WatchStream {
  validateListOptions(scope, true);
  const q = scope.query;
  const sel = selectors(scope);
  const rvParam = q.resourceVersion;
  if (rvParam !== undefined && rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const sendInitial = q.sendInitialEvents !== undefined ? isTrue(q.sendInitialEvents) : !rvParam || rvParam === '0';
  const bookmarks = isTrue(q.allowWatchBookmarks);
  const timeoutSeconds = q.timeoutSeconds !== undefined ? Number(q.timeoutSeconds) : 1800 * (1 + Math.random());
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`invalid value for timeoutSeconds: ${q.timeoutSeconds}`);
  const bookmarkObject = (rv: number, extra?: Record<string, string>): KObject => ({
    kind: scope.rt.kind,
    apiVersion: groupVersion(scope.rt),
    metadata: { resourceVersion: String(rv), ...(extra ? { annotations: extra } : {}) },
  });

  return {
    start(send, end) {
      let stopped = false;
      let backfill = true;
      let lastRV = 0;
      let watcher: { stop(): void } | undefined;
      const timers: NodeJS.Timeout[] = [];
      const stop = () => {
        if (stopped) return;
        stopped = true;
        watcher?.stop();
        for (const t of timers) clearTimeout(t);
      };
      const finish = () => {
        stop();
        end();
      };
      const emit = (e: WatchEvent) => {
        if (stopped) return;
        const rv = e.rv ?? Number(e.object.metadata?.resourceVersion);
        if (Number.isFinite(rv)) lastRV = Math.max(lastRV, rv);
        send(e, backfill);
      };
      const fail = (err: unknown) => {
        const apiErr = err instanceof APIError ? err : undefined;
        emit({ type: 'ERROR', object: apiErr ? toStatus(apiErr) : toStatus(new APIError(500, 'InternalError', String(err))) });
        finish();
      };
      const subscribe = (fromRV: number | undefined) => {
        // The store replays history synchronously, within this call; whatever it delivers afterwards is live.
        watcher = scope.store.watch(scope.namespace, { resourceVersion: fromRV, ...sel }, emit);
        backfill = false;
      };
      const begin = async () => {
        if (sendInitial) {
          const page = await scope.store.list(scope.namespace, sel);
          if (stopped) return;
          for (const item of page.items) emit({ type: 'ADDED', object: item });
          const rv = Number(page.resourceVersion);
          lastRV = Math.max(lastRV, rv);
          subscribe(rv);
          if (q.sendInitialEvents !== undefined) emit({ type: 'BOOKMARK', object: bookmarkObject(lastRV, { 'k8s.io/initial-events-end': 'true' }) });
        } else {
          lastRV = Number(rvParam);
          subscribe(lastRV);
        }
      };
      begin().catch(fail);
      if (timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
      if (bookmarks) {
        const tick = () => {
          if (stopped) return;
          const rv = Math.max(lastRV, scope.store.currentResourceVersion());
          if (watcher) emit({ type: 'BOOKMARK', object: bookmarkObject(rv) });
          timers[1] = setTimeout(tick, scope.server.bookmarkIntervalMs);
        };
        timers[1] = setTimeout(tick, scope.server.bookmarkIntervalMs);
      }
      return stop;
    },
  };
}

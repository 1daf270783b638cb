// delete and deletecollection, with DeleteOptions from the body or the query (kube accepts both).
import type { KObject } from '../../storage/store.js';
import { badRequest } from '../errors.js';
import type { DeleteOptions, PropagationPolicy } from '../registry/resourcestore.js';
import { parseBody } from './decode.js';
import { listKind } from './read.js';
import { groupVersion } from '../registry/registry.js';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.js';
import type { ObjectResult, RequestScope } from './scope.js';
import { isDryRun } from './write.js';

const POLICIES = ['Background', 'Foreground', 'Orphan'];

function deleteOptions(scope: RequestScope): DeleteOptions & { orphanDependentsFalse: boolean } {
  let body: Record<string, any> = {};
  if (scope.body && scope.body.length > 0) {
    const { value } = parseBody(scope);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) body = value as Record<string, any>;
    else if (value !== null) throw badRequest('the body of a delete request must be a DeleteOptions object');
  }
  const policy = (scope.query.propagationPolicy ?? body.propagationPolicy) as string | undefined;
  const orphan = scope.query.orphanDependents ?? body.orphanDependents;
  let propagationPolicy: PropagationPolicy | undefined;
  if (policy !== undefined) {
    if (!POLICIES.includes(policy))
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    propagationPolicy = policy as PropagationPolicy;
  } else if (orphan !== undefined) propagationPolicy = orphan === true || orphan === 'true' ? 'Orphan' : 'Foreground';
  const dryRun = isDryRun(scope) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return { dryRun, propagationPolicy, preconditions: body.preconditions, orphanDependentsFalse: orphan === false || orphan === 'false' };
}

function successStatus(scope: RequestScope, obj: KObject): KObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: obj.metadata?.name, group: scope.rt.group || undefined, kind: scope.rt.plural, uid: obj.metadata?.uid },
  };
}

export async function deleteObject(scope: RequestScope): Promise<ObjectResult> {
  const opts = deleteOptions(scope);
  const admission = scope.server.admission;
  await admission.validate({
    operation: 'DELETE',
    resource: scope.rt,
    namespace: scope.namespace,
    name: scope.name!,
    dryRun: !!opts.dryRun,
    user: scope.user,
  });
  const result = await scope.store.delete(scope.namespace, scope.name!, opts);
  // kube answers 202 only for the deprecated orphanDependents=false; a pending deletion is otherwise a 200.
  if (!result.deleted) return { code: opts.orphanDependentsFalse ? 202 : 200, object: result.object };
  return { code: 200, object: successStatus(scope, result.object) };
}

export async function deleteCollection(scope: RequestScope): Promise<ObjectResult> {
  const opts = deleteOptions(scope);
  const fieldSelector = parseFieldSelector(scope.query.fieldSelector);
  scope.store.checkFieldSelector(fieldSelector);
  const page = await scope.store.list(scope.namespace, { labelSelector: parseLabelSelector(scope.query.labelSelector), fieldSelector });
  const items: KObject[] = [];
  for (const obj of page.items) {
    const name = obj.metadata!.name;
    await scope.server.admission.validate({ operation: 'DELETE', resource: scope.rt, namespace: obj.metadata!.namespace, name, dryRun: !!opts.dryRun, user: scope.user });
    try {
      items.push((await scope.store.delete(obj.metadata!.namespace, name, opts)).object);
    } catch (err) {
      // Another client deleting the same object concurrently is not a failure of the collection delete.
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  const metadata = { resourceVersion: String(scope.store.currentResourceVersion()) };
  const object = { kind: listKind(scope), apiVersion: groupVersion(scope.rt), metadata };
  return { code: 200, object, list: { items: items.map((o) => Buffer.from(JSON.stringify(o))), metadata } };
}

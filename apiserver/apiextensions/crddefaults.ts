// Hooks for the CustomResourceDefinition kind itself: kube's defaulting of a CRD's spec (singular and list kind
// names, the None conversion strategy, the webhook service port), so stored CRDs read as kube stores them.
import type { ObjectHooks } from '../registry/types.js';
import { isObject } from './structural.js';

export const customResourceDefinitionHooks: ObjectHooks = {
  normalize(crd) {
    const spec = crd.spec;
    if (!isObject(spec)) return;
    const names = spec.names;
    if (isObject(names) && typeof names.kind === 'string' && names.kind !== '') {
      if (!names.singular) names.singular = names.kind.toLowerCase();
      if (!names.listKind) names.listKind = `${names.kind}List`;
    }
    const conversion = (spec.conversion ??= { strategy: 'None' }) as Record<string, any>;
    const service = conversion.webhook?.clientConfig?.service;
    if (isObject(service) && service.port === undefined) service.port = 443;
  },
};

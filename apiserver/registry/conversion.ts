// Conversion between served versions of one stored resource (kube's conversion functions, for the few built-in
// resources served in more than one version). Objects are stored in the storage version.
import type { KObject } from '../../storage/store.js';
import type { ResourceType } from './types.js';

export interface Converter {
  /** From the served version to the storage version. */
  toStorage(obj: KObject): KObject;
  /** From the storage version to the served version. */
  fromStorage(obj: KObject): KObject;
}

const CPU_UTILIZATION = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

/** autoscaling/v1 HorizontalPodAutoscaler ↔ autoscaling/v2 (CPU utilization is the only v1 metric). */
function hpaV1(): Converter {
  return {
    toStorage(obj) {
      const { targetCPUUtilizationPercentage, ...spec } = obj.spec ?? {};
      const status = obj.status && (({ currentCPUUtilizationPercentage, ...rest }) => ({
        ...rest,
        ...(currentCPUUtilizationPercentage !== undefined
          ? { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }] }
          : {}),
      }))(obj.status);
      return {
        ...obj,
        apiVersion: 'autoscaling/v2',
        spec: {
          ...spec,
          ...(targetCPUUtilizationPercentage !== undefined
            ? { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }] }
            : {}),
        },
        ...(status ? { status } : {}),
      };
    },
    fromStorage(obj) {
      const { metrics, behavior: _behavior, ...spec } = obj.spec ?? {};
      const cpu = (metrics as any[] | undefined)?.find(CPU_UTILIZATION);
      const out: KObject = { ...obj, apiVersion: 'autoscaling/v1', spec: { ...spec } };
      if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
      if (obj.status) {
        const { currentMetrics, conditions: _conditions, ...status } = obj.status;
        const current = (currentMetrics as any[] | undefined)?.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
        out.status = { ...status };
        if (current?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = current.resource.current.averageUtilization;
      }
      return out;
    },
  };
}

const CONVERTERS: Record<string, () => Converter> = {
  'autoscaling/v1/HorizontalPodAutoscaler': hpaV1,
};

/** The converter for a resource served in a version other than its storage version, if it needs one. */
export function converterFor(rt: ResourceType): Converter | undefined {
  if (!rt.storageVersion) return undefined;
  // A CRD's versions with conversion strategy None: the same object, with the apiVersion rewritten.
  if (rt.custom) {
    const served = `${rt.group}/${rt.version}`;
    const storage = rt.storageVersion;
    return { toStorage: (o) => ({ ...o, apiVersion: storage }), fromStorage: (o) => ({ ...o, apiVersion: served }) };
  }
  const make = CONVERTERS[`${rt.group}/${rt.version}/${rt.kind}`];
  if (!make) throw new Error(`no conversion from ${rt.storageVersion} to ${rt.group}/${rt.version} ${rt.kind}`);
  return make();
}

// printHorizontalPodAutoscaler, for autoscaling/v2 and autoscaling/v1 objects alike.
import type { KObject } from '../../../storage/store.js';
import type { TableColumn } from '../types.js';
import { ageColumn, column, int, list, nameColumn, quantity, str } from './columns.js';

// autoscaling/v1 objects carry only a CPU target; kube prints them through the same converted metric list.
function hpaMetrics(hpa: KObject): { specs: any[]; statuses: any[] } {
  if (Array.isArray(hpa.spec?.metrics) || typeof hpa.spec?.targetCPUUtilizationPercentage !== 'number')
    return { specs: list(hpa.spec?.metrics), statuses: list(hpa.status?.currentMetrics) };
  const current = hpa.status?.currentCPUUtilizationPercentage;
  return {
    specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.spec.targetCPUUtilizationPercentage } } }],
    statuses: typeof current === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }] : [],
  };
}

const percent = (v: unknown): string | undefined => (typeof v === 'number' ? `${v}%` : undefined);

/** An Object or External metric: an average-value target prints "(avg)", otherwise the plain value. */
function valueMetric(target: any, status: any): string {
  if (target?.averageValue !== undefined) {
    const now = status?.current?.averageValue !== undefined ? quantity(status.current.averageValue, '<nil>') : '<unknown>';
    return `${now}/${quantity(target.averageValue, '<nil>')} (avg)`;
  }
  return `${status ? quantity(status.current?.value, '<nil>') : '<unknown>'}/${quantity(target?.value, '<nil>')}`;
}

function resourceMetric(source: any, status: any): string {
  const name = str(source?.name);
  if (source?.target?.averageValue !== undefined) {
    const now = status ? quantity(status.current?.averageValue, '<nil>') : '<unknown>';
    return `${name}: ${now}/${quantity(source.target.averageValue, '<nil>')}`;
  }
  return `${name}: ${percent(status?.current?.averageUtilization) ?? '<unknown>'}/${percent(source?.target?.averageUtilization) ?? '<auto>'}`;
}

/** formatHPAMetrics: the first two metrics as current/target. */
function hpaTargets(hpa: KObject): string {
  const { specs, statuses } = hpaMetrics(hpa);
  if (specs.length === 0) return '<none>';
  const shown = specs.map((spec, i) => {
    const status = statuses[i];
    switch (spec?.type) {
      case 'External':
        return valueMetric(spec.external?.target, status?.external);
      case 'Object':
        return valueMetric(spec.object?.target, status?.object);
      case 'Pods':
        return `${status?.pods ? quantity(status.pods.current?.averageValue, '<nil>') : '<unknown>'}/${quantity(spec.pods?.target?.averageValue, '<nil>')}`;
      case 'Resource':
        return resourceMetric(spec.resource, status?.resource);
      case 'ContainerResource':
        return resourceMetric(spec.containerResource, status?.containerResource);
      default:
        return '<unknown type>';
    }
  });
  const text = shown.slice(0, 2).join(', ');
  return shown.length > 2 ? `${text} + ${shown.length - 2} more...` : text;
}

export const horizontalPodAutoscalerColumns: TableColumn[] = [
  nameColumn(),
  column('Reference', 'string', (o) => `${str(o.spec?.scaleTargetRef?.kind)}/${str(o.spec?.scaleTargetRef?.name)}`),
  column('Targets', 'string', hpaTargets),
  column('MinPods', 'string', (o) => String(typeof o.spec?.minReplicas === 'number' ? o.spec.minReplicas : 1)),
  column('MaxPods', 'string', (o) => int(o.spec?.maxReplicas)),
  column('Replicas', 'string', (o) => int(o.status?.currentReplicas)),
  ageColumn,
];

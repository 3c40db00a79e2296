import { Entity } from '@backstage/catalog-model';
import { ContainerMetrics, EntityMetricsResponse, parseQuantity, ResourceAmounts } from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerJson } from '../clusters/kubeTypes';
import { TargetResolver } from '../targets/TargetResolver';
import { MetricsHistory, UsagePoint } from './MetricsHistory';

/** Share of the memory limit from which a container is flagged as about to be OOM-killed. */
export const NEAR_LIMIT = 0.9;

function amounts(list: Record<string, string | number> | undefined): ResourceAmounts {
  const read = (q: string | number | undefined) => {
    if (q === undefined) return undefined;
    try {
      return parseQuantity(q);
    } catch {
      return undefined;
    }
  };
  const cpuCores = read(list?.cpu);
  const memoryBytes = read(list?.memory);
  return { ...(cpuCores !== undefined ? { cpuCores } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}) };
}

/** One container's usage against what it asks for and may use; flagged from 90% of its memory limit. */
export function containerMetrics(c: ContainerJson, history: UsagePoint[], peakMemoryBytes?: number): ContainerMetrics {
  const resources = (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
  const usage = history[history.length - 1];
  const limits = amounts(resources.limits);
  return {
    name: c.name,
    requests: amounts(resources.requests),
    limits,
    ...(usage ? { usage } : {}),
    history,
    ...(peakMemoryBytes !== undefined ? { peakMemoryBytes } : {}),
    nearMemoryLimit: !!usage && limits.memoryBytes !== undefined && usage.memoryBytes >= NEAR_LIMIT * limits.memoryBytes,
  };
}

/** An entity's pods' CPU and memory against their requests and limits, with the history kept. */
export class EntityMetrics {
  constructor(private readonly deps: { targets: TargetResolver; history: MetricsHistory; intervalMs: number; windowMs: number }) {}

  async read(entity: Entity, signal?: AbortSignal): Promise<EntityMetricsResponse> {
    const { pods, clusterErrors } = await this.deps.targets.listPods(entity, undefined, signal);
    const touched = new Set<string>();
    for (const { client, pod } of pods) {
      const ns = pod.metadata.namespace ?? 'default';
      if (touched.has(`${client.name}/${ns}`)) continue;
      touched.add(`${client.name}/${ns}`);
      await this.deps.history.touch(client, ns, signal);
    }
    const errors = [...clusterErrors];
    for (const cluster of new Set(pods.map(p => p.client.name))) {
      const why = this.deps.history.unavailableIn(cluster);
      if (why) errors.push(why);
    }
    return {
      pods: pods.map(({ client, pod }) => {
        const namespace = pod.metadata.namespace ?? 'default';
        const peaks = this.deps.history.memoryPeaks(client.name, namespace, pod.metadata.name);
        return {
          cluster: client.name,
          namespace,
          pod: pod.metadata.name,
          containers: pod.spec.containers.map(c => containerMetrics(c, this.deps.history.history(client.name, namespace, pod.metadata.name, c.name), peaks[c.name]?.bytes)),
        };
      }),
      windowSeconds: Math.round(this.deps.windowMs / 1000),
      intervalSeconds: Math.round(this.deps.intervalMs / 1000),
      clusterErrors: errors,
    };
  }
}

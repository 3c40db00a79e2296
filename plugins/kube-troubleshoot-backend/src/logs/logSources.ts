import { Entity } from '@backstage/catalog-model';
import { TargetResolver } from '../targets/TargetResolver';
import { LogsQuery } from './logsQuery';
import { LogSource } from './streamLogs';

/**
 * The containers a logs request reads, all proven the entity's: one pod's (one container, or all
 * of them), or without a pod every pod of the entity (each with that container, when given).
 */
export async function logSources(targets: TargetResolver, entity: Entity, q: LogsQuery, signal: AbortSignal): Promise<LogSource[]> {
  if (q.pod) {
    const { client, pod } = await targets.findPod(entity, { cluster: q.cluster, pod: q.pod, namespace: q.namespace }, signal);
    if (q.container) TargetResolver.checkContainer(pod, q.container);
    const names = q.container ? [q.container] : pod.spec.containers.map(c => c.name);
    return names.map(container => ({ client, namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container }));
  }
  const { pods } = await targets.listPods(entity, q.cluster, signal);
  return pods
    .filter(({ pod }) => !q.namespace || pod.metadata.namespace === q.namespace)
    .flatMap(({ client, pod }) =>
      pod.spec.containers
        .filter(c => !q.container || c.name === q.container)
        .map(c => ({ client, namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container: c.name })),
    );
}

/** The file name of a downloaded log: `<entity>[-<pod>][-<container>].log`. */
export function logFileName(entity: Entity, q: Pick<LogsQuery, 'pod' | 'container'>): string {
  return `${[entity.metadata.name, q.pod, q.container].filter(Boolean).join('-')}.log`;
}

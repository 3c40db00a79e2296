import { ContainerKind, ContainerSummary, OwnerSummary, PodSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerJson, ContainerStatusJson, PodJson } from '../clusters/kubeTypes';

/** STATUS as `kubectl get pods` prints it (printPod), reduced to what users need. */
export function podStatusText(pod: PodJson): string {
  let reason = pod.status?.reason || pod.status?.phase || 'Pending';
  for (const s of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated) reason = s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode}`;
  }
  if (reason === 'Completed' && pod.status?.containerStatuses?.some(s => s.state?.running)) reason = 'Running';
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

function containerSummary(spec: ContainerJson, kind: ContainerKind, status?: ContainerStatusJson): ContainerSummary {
  const st = status?.state;
  let state: ContainerSummary['state'] = 'unknown';
  if (st?.running) state = 'running';
  else if (st?.waiting) state = 'waiting';
  else if (st?.terminated) state = 'terminated';
  const last = status?.lastState?.terminated;
  return {
    name: spec.name,
    kind,
    image: spec.image ?? status?.image ?? '',
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
    state,
    reason: st?.waiting?.reason ?? st?.terminated?.reason,
    message: st?.waiting?.message ?? st?.terminated?.message,
    exitCode: st?.terminated?.exitCode,
    startedAt: st?.running?.startedAt ?? st?.terminated?.startedAt,
    lastTermination: last
      ? { exitCode: last.exitCode, reason: last.reason, message: last.message, finishedAt: last.finishedAt }
      : undefined,
  };
}

export function summarizePod(cluster: string, pod: PodJson, owners: OwnerSummary[]): PodSummary {
  const byName = (list?: ContainerStatusJson[]) => new Map((list ?? []).map(s => [s.name, s]));
  const regular = byName(pod.status?.containerStatuses);
  const init = byName(pod.status?.initContainerStatuses);
  const eph = byName(pod.status?.ephemeralContainerStatuses);
  const containers = [
    ...(pod.spec.initContainers ?? []).map(c => containerSummary(c, 'init', init.get(c.name))),
    ...pod.spec.containers.map(c => containerSummary(c, 'container', regular.get(c.name))),
    ...(pod.spec.ephemeralContainers ?? []).map(c => containerSummary(c, 'ephemeral', eph.get(c.name))),
  ];
  const regularSummaries = containers.filter(c => c.kind === 'container');
  return {
    cluster,
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    phase: pod.status?.phase ?? 'Unknown',
    status: podStatusText(pod),
    ready: `${regularSummaries.filter(c => c.ready).length}/${regularSummaries.length}`,
    restarts: regularSummaries.reduce((n, c) => n + c.restartCount, 0),
    createdAt: pod.metadata.creationTimestamp,
    nodeName: pod.spec.nodeName,
    podIP: pod.status?.podIP,
    containers,
    owners,
  };
}

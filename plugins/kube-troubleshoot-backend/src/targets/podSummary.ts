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

/**
 * What a summary may say: a terminated container's message can be its log's tail (the kubelet
 * copies it there with `terminationMessagePolicy: FallbackToLogsOnError`), so it is log text.
 */
export interface SummaryScope {
  logText: boolean;
}

function containerSummary(spec: ContainerJson, kind: ContainerKind, status: ContainerStatusJson | undefined, scope: SummaryScope): ContainerSummary {
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
    message: st?.waiting?.message ?? (scope.logText ? st?.terminated?.message : undefined),
    exitCode: st?.terminated?.exitCode,
    startedAt: st?.running?.startedAt ?? st?.terminated?.startedAt,
    lastTermination: last
      ? { exitCode: last.exitCode, reason: last.reason, message: scope.logText ? last.message : undefined, finishedAt: last.finishedAt }
      : undefined,
  };
}

export function summarizePod(cluster: string, pod: PodJson, owners: OwnerSummary[], scope: SummaryScope): PodSummary {
  const byName = (list?: ContainerStatusJson[]) => new Map((list ?? []).map(s => [s.name, s]));
  const regular = byName(pod.status?.containerStatuses);
  const init = byName(pod.status?.initContainerStatuses);
  const eph = byName(pod.status?.ephemeralContainerStatuses);
  const containers = [
    ...(pod.spec.initContainers ?? []).map(c => containerSummary(c, 'init', init.get(c.name), scope)),
    ...pod.spec.containers.map(c => containerSummary(c, 'container', regular.get(c.name), scope)),
    ...(pod.spec.ephemeralContainers ?? []).map(c => containerSummary(c, 'ephemeral', eph.get(c.name), scope)),
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

import { KubeEvent, PodDiagnosis } from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerStatusJson, PodJson } from '../clusters/kubeTypes';

export interface DiagnosisInput {
  cluster: string;
  pod: PodJson;
  /** The pod's events (any order). */
  events: KubeEvent[];
  /**
   * Last lines of the previous run of each crashing container, by container name; undefined when
   * the caller may not read logs (log text is for kube-troubleshoot.logs.read only).
   */
  previousLogTail?: Record<string, string[]>;
  now?: Date;
}

const PULL_REASONS = ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'];

/**
 * A plain-language verdict about one pod and the next step, from its status and events: the
 * checks go from what blocks everything (deletion, scheduling) to what degrades it (probes).
 */
export function diagnosePod(input: DiagnosisInput): PodDiagnosis {
  const { pod, cluster, events } = input;
  const name = pod.metadata.name;
  const base = { cluster, namespace: pod.metadata.namespace ?? 'default', pod: name };
  const statuses: ContainerStatusJson[] = pod.status?.containerStatuses ?? [];
  const now = input.now ?? new Date();
  const latest = (reason: string) =>
    events.filter(e => e.reason === reason).sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))[0];

  if (pod.metadata.deletionTimestamp && Date.parse(pod.metadata.deletionTimestamp) < now.getTime()) {
    const finalizers = pod.metadata.finalizers ?? [];
    return {
      ...base,
      severity: 'error',
      verdict: finalizers.length
        ? `${name} is stuck Terminating: the finalizers ${finalizers.join(', ')} have not been removed`
        : `${name} is stuck Terminating past its grace period`,
      nextStep: finalizers.length
        ? 'The controller that owns each finalizer must finish its cleanup; if it is gone, remove the finalizers (kubectl patch pod with metadata.finalizers: null).'
        : 'The node may be unreachable; check the node and force-delete the pod if it is gone.',
      details: [`deletion requested at ${pod.metadata.deletionTimestamp}`],
    };
  }

  const scheduled = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
  if (pod.status?.phase === 'Pending' && scheduled?.status === 'False') {
    const why = latest('FailedScheduling')?.message ?? scheduled.message ?? 'no reason given';
    return {
      ...base,
      severity: 'error',
      verdict: `${name} cannot be scheduled: ${why}`,
      nextStep: "Compare the pod's nodeSelector, affinity, tolerations and resource requests with the nodes: relax them or add a node that fits.",
      details: [why],
    };
  }

  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && PULL_REASONS.includes(waiting.reason)) {
      const failed = events.filter(e => e.reason === 'Failed' && e.object.fieldPath?.includes(`{${s.name}}`) && e.message.startsWith('Failed to pull'))[0];
      const error = failed?.message ?? waiting.message ?? waiting.reason;
      return {
        ...base,
        container: s.name,
        severity: 'error',
        verdict: `${name} cannot pull the image ${s.image} of container ${s.name} (${waiting.reason})`,
        nextStep: 'Check that the image name and tag exist in the registry and that the pod has an imagePullSecret for a private registry.',
        details: [error],
      };
    }
  }

  for (const s of statuses) {
    const waiting = s.state?.waiting;
    const last = s.lastState?.terminated;
    if (waiting?.reason === 'CrashLoopBackOff' || (last && s.restartCount > 0 && !s.ready && !s.state?.running)) {
      const exit = last ? `exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''}` : 'no exit code recorded';
      const oom = last?.reason === 'OOMKilled';
      const tail = input.previousLogTail?.[s.name] ?? [];
      let logDetails = ['the last lines of the previous container are shown to holders of kube-troubleshoot.logs.read'];
      if (input.previousLogTail) logDetails = tail.length ? ['last lines of the previous container:', ...tail] : ['the previous container left no log lines'];
      return {
        ...base,
        container: s.name,
        severity: 'error',
        verdict: `container ${s.name} of ${name} keeps crashing (${exit}) and restarts with a back-off (CrashLoopBackOff); ${s.restartCount} restart${s.restartCount === 1 ? '' : 's'} so far`,
        nextStep: oom
          ? 'It ran out of memory: raise its memory limit or find the leak (the last log lines are below).'
          : "Read the previous container's log (below, and with Previous in the Logs tab) for the error it exited on.",
        details: logDetails,
      };
    }
  }

  const unhealthy = events.filter(e => e.reason === 'Unhealthy');
  const ready = pod.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True';
  if (pod.status?.phase === 'Running' && !ready) {
    const probe = unhealthy.sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))[0];
    const notReady = statuses.filter(s => !s.ready).map(s => s.name);
    return {
      ...base,
      severity: 'warning',
      verdict: probe
        ? `${name} is running but not ready: ${probe.message}`
        : `${name} is running but not ready: containers ${notReady.join(', ')} are not ready`,
      nextStep: probe
        ? 'Check the probe path, port and timing against what the application serves, and its log around the failures.'
        : 'The containers have not passed their readiness checks yet; watch the events and the log.',
      details: probe ? [`${probe.count}x ${probe.message}`] : [],
    };
  }

  if (pod.status?.phase === 'Succeeded') {
    return { ...base, severity: 'info', verdict: `${name} ran to completion`, nextStep: 'Nothing to do.', details: [] };
  }
  if (pod.status?.phase === 'Failed') {
    const t = statuses.find(s => s.state?.terminated)?.state?.terminated;
    return {
      ...base,
      severity: 'error',
      verdict: `${name} failed${t ? ` (exit code ${t.exitCode}${t.reason ? `, ${t.reason}` : ''})` : ''}`,
      nextStep: 'Read its log for the error; it will not be restarted.',
      details: pod.status?.message ? [pod.status.message] : [],
    };
  }
  if (pod.status?.phase === 'Running') {
    const probe = unhealthy[0];
    return {
      ...base,
      severity: probe ? 'warning' : 'ok',
      verdict: probe ? `${name} is running and ready, but a probe failed recently: ${probe.message}` : `${name} is running and ready`,
      nextStep: probe ? 'Watch the events: repeated liveness failures restart the container.' : 'Nothing to do.',
      details: [],
    };
  }
  return {
    ...base,
    severity: 'info',
    verdict: `${name} is ${pod.status?.phase ?? 'in an unknown phase'}`,
    nextStep: 'Wait for it to start, and watch the events.',
    details: [],
  };
}

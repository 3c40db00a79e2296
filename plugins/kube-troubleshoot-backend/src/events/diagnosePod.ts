import { formatBytes, KubeEvent, parseQuantity, PodDiagnosis } from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerJson, ContainerStatusJson, PodJson } from '../clusters/kubeTypes';
import { classifyPullFailure, pullAdvice } from './evidence/imagePull';
import { latestFailingProbe } from './evidence/probes';
import { explainScheduling, NodeInfo } from './evidence/scheduling';
import { findUnreachableDependency, serviceOfHost } from './evidence/unreachableDependency';

/** A Service as far as the diagnosis reads it. */
export interface ServiceInfo {
  name: string;
  namespace: string;
  ports: Array<{ port: number; name?: string; protocol?: string }>;
}

/** What the backend could look up beside the pod, each undefined when it could not (no permission, no API). */
export interface DiagnosisEvidence {
  /** Services by namespace, for the namespaces a crashed container's log names. */
  services?: Record<string, ServiceInfo[] | undefined>;
  nodes?: NodeInfo[];
  /** Memory samples of each container (metrics.k8s.io, as the backend kept them), oldest first. */
  memoryHistory?: Record<string, Array<{ at: string; memoryBytes: number }>>;
}

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
  evidence?: DiagnosisEvidence;
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
    const message = latest('FailedScheduling')?.message ?? scheduled.message ?? 'no reason given';
    const found = explainScheduling({
      message,
      nodeSelector: pod.spec.nodeSelector as Record<string, string> | undefined,
      tolerations: pod.spec.tolerations as Parameters<typeof explainScheduling>[0]['tolerations'],
      nodes: input.evidence?.nodes,
    });
    return {
      ...base,
      severity: 'error',
      verdict: `${name} cannot be scheduled: ${found.cause}`,
      nextStep: found.nextStep,
      details: found.cause === found.schedulerSays ? [] : [`the scheduler: ${found.schedulerSays}`],
    };
  }

  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && PULL_REASONS.includes(waiting.reason)) {
      const failed = events.filter(e => e.reason === 'Failed' && e.object.fieldPath?.includes(`{${s.name}}`) && e.message.startsWith('Failed to pull'))[0];
      const error = failed?.message ?? waiting.message ?? waiting.reason;
      const advice = pullAdvice(classifyPullFailure(waiting.reason, error), s.image);
      return {
        ...base,
        container: s.name,
        severity: 'error',
        verdict: `${name} cannot pull the image ${s.image} of container ${s.name}: ${advice.cause} (${waiting.reason})`,
        nextStep: advice.nextStep,
        details: [error],
      };
    }
  }

  for (const s of statuses) {
    const waiting = s.state?.waiting;
    const last = s.lastState?.terminated;
    if (waiting?.reason === 'CrashLoopBackOff' || (last && s.restartCount > 0 && !s.ready && !s.state?.running)) {
      const exit = last ? `exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''}` : 'no exit code recorded';
      const restarts = `${s.restartCount} restart${s.restartCount === 1 ? '' : 's'} so far`;
      const step = crashNextStep(input, s, last?.reason === 'OOMKilled');
      return {
        ...base,
        container: s.name,
        severity: 'error',
        verdict: `container ${s.name} of ${name} keeps crashing (${exit}) and restarts with a back-off (CrashLoopBackOff); ${restarts}`,
        nextStep: step.nextStep,
        details: [...step.facts, ...logDetails(input, s.name)],
      };
    }
  }

  const probe = latestFailingProbe(pod.spec.containers, events);
  const probeFacts = probe ? [...(probe.probe ? [`${probe.kind.toLowerCase()} probe of ${probe.container}: ${probe.probe}`] : []), `failed ${probe.count}x, last answer: ${probe.output}`] : [];
  const ready = pod.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True';
  // Running again between crashes: the restarts are the story, unless a failing probe explains them.
  const restarted = statuses.find(s => s.restartCount > 0 && s.lastState?.terminated && s.lastState.terminated.reason !== 'Completed');
  if (pod.status?.phase === 'Running' && restarted && !(probe && !ready)) {
    const last = restarted.lastState!.terminated!;
    const step = crashNextStep(input, restarted, last.reason === 'OOMKilled');
    return {
      ...base,
      container: restarted.name,
      severity: 'warning',
      verdict: `container ${restarted.name} of ${name} runs again, but it restarted ${restarted.restartCount}x; it last ended with exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''}`,
      nextStep: step.nextStep,
      details: [...step.facts, ...logDetails(input, restarted.name)],
    };
  }

  if (pod.status?.phase === 'Running' && !ready) {
    const notReady = statuses.filter(s => !s.ready).map(s => s.name);
    return {
      ...base,
      ...(probe ? { container: probe.container } : {}),
      severity: 'warning',
      verdict: probe
        ? `${name} is running but not ready: its ${probe.kind.toLowerCase()} probe of ${probe.container} fails (${probe.output})`
        : `${name} is running but not ready: containers ${notReady.join(', ')} are not ready`,
      nextStep: probe
        ? `Check what ${probe.container} answers on the probe's ${probeTarget(probe.probe)} against what the probe expects, and its log around the failures; give it more time (initialDelaySeconds, failureThreshold) if it is only slow to start.`
        : 'The containers have not passed their readiness checks yet; watch the events and the log.',
      details: probeFacts,
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
    return {
      ...base,
      severity: probe ? 'warning' : 'ok',
      verdict: probe ? `${name} is running and ready, but its ${probe.kind.toLowerCase()} probe of ${probe.container} failed recently (${probe.output})` : `${name} is running and ready`,
      nextStep: probe ? 'Watch the events: repeated liveness failures restart the container.' : 'Nothing to do.',
      details: probeFacts,
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

/** `http-get http://:8080/healthz delay=...` → `http-get http://:8080/healthz`. */
function probeTarget(described: string | undefined): string {
  return described ? described.split(' delay=')[0] : 'endpoint';
}

function logDetails(input: DiagnosisInput, container: string): string[] {
  if (!input.previousLogTail) return ['the last lines of the previous container are shown to holders of kube-troubleshoot.logs.read'];
  const tail = input.previousLogTail[container] ?? [];
  return tail.length ? ['last lines of the previous container:', ...tail] : ['the previous container left no log lines'];
}

/** The most memory seen during one run (its start to its end, a second's slack for the sample's lag). */
function peakOfRun(points: Array<{ at: string; memoryBytes: number }> | undefined, run: { startedAt?: string; finishedAt?: string } | undefined) {
  if (!points?.length) return undefined;
  const from = run?.startedAt ? Date.parse(run.startedAt) : -Infinity;
  const to = run?.finishedAt ? Date.parse(run.finishedAt) + 1000 : Infinity;
  let best: { bytes: number; at: string } | undefined;
  for (const p of points) {
    const t = Date.parse(p.at);
    if (t >= from && t <= to && (!best || p.memoryBytes > best.bytes)) best = { bytes: p.memoryBytes, at: p.at };
  }
  return best;
}

function memoryLimitOf(c: ContainerJson | undefined): number | undefined {
  const limit = (c?.resources as { limits?: Record<string, string | number> } | undefined)?.limits?.memory;
  if (limit === undefined) return undefined;
  try {
    return parseQuantity(limit);
  } catch {
    return undefined;
  }
}

/**
 * The next step for a crashing container, from the evidence: an OOM kill against its limit and the
 * peak seen, or the dependency its last log lines could not reach and whether a Service of that
 * name exists; otherwise, read the previous log.
 */
function crashNextStep(input: DiagnosisInput, s: ContainerStatusJson, oom: boolean): { nextStep: string; facts: string[] } {
  const spec = input.pod.spec.containers.find(c => c.name === s.name);
  if (oom) {
    const limit = memoryLimitOf(spec);
    const peak = peakOfRun(input.evidence?.memoryHistory?.[s.name], s.lastState?.terminated ?? s.state?.terminated);
    const facts = [
      limit !== undefined ? `memory limit: ${formatBytes(limit)}` : 'no memory limit: the node ran out of memory',
      peak
        ? `the most memory seen in use before the kill: ${formatBytes(peak.bytes)} at ${peak.at}${limit ? ` (${Math.round((peak.bytes / limit) * 100)}% of the limit)` : ''}`
        : 'no memory sample of the run that was killed (metrics.k8s.io is sampled while someone looks at the entity)',
    ];
    return {
      nextStep:
        limit !== undefined
          ? `It was killed for using more than its ${formatBytes(limit)} memory limit (OOMKilled, exit code 137): raise resources.limits.memory above what it needs${peak ? ` (the most seen in use before the kill was ${formatBytes(peak.bytes)}; a burst between two samples is not seen)` : ''}, or find what keeps growing (its last log lines are below).`
          : 'It was killed because the node ran out of memory: give it a memory request and limit that fit, or find what keeps growing.',
      facts,
    };
  }
  const dependency = input.previousLogTail ? findUnreachableDependency(input.previousLogTail[s.name] ?? []) : undefined;
  if (!dependency) return { nextStep: "Read the previous container's log (below, and with Previous in the Logs tab) for the error it exited on.", facts: [] };
  const namespace = input.pod.metadata.namespace ?? 'default';
  const where = dependency.port ? `${dependency.host}:${dependency.port}` : dependency.host;
  const how = { refused: 'was refused at', unresolved: 'could not resolve', timeout: 'timed out reaching' }[dependency.problem];
  const facts = [`it ${how} ${where}: ${dependency.line.trim()}`];
  const configured = (spec?.env ?? []).filter(e => typeof e.value === 'string' && e.value.includes(dependency.host)).map(e => e.name);
  if (configured.length) facts.push(`the address comes from its environment: ${configured.join(', ')}`);
  const target = serviceOfHost(dependency.host, namespace);
  if (!target) {
    return { nextStep: `It cannot reach ${where}, outside the cluster: check that the host is up and reachable from the cluster (DNS, firewall, egress policy).`, facts };
  }
  const services = input.evidence?.services?.[target.namespace];
  if (!services) {
    facts.push(`the Services of ${target.namespace} could not be read to check for ${target.service}`);
    return { nextStep: `It cannot reach ${where}: check that a Service ${target.service} exists in ${target.namespace} with ready endpoints.`, facts };
  }
  const service = services.find(x => x.name === target.service);
  if (!service) {
    const others = services.map(x => x.name).filter(n => n !== 'kubernetes');
    facts.push(`Services in ${target.namespace}: ${others.length ? others.join(', ') : 'none'}`);
    return {
      nextStep: `No Service named ${target.service} exists in namespace ${target.namespace}, so ${dependency.host} does not resolve: deploy ${target.service} there, or point the app at the right address${configured.length ? ` (${configured.join(', ')})` : ''}.`,
      facts,
    };
  }
  const ports = service.ports.map(p => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
  facts.push(`Service ${target.service} in ${target.namespace} exposes ${ports || 'no ports'}`);
  if (dependency.port && !service.ports.some(p => p.port === dependency.port)) {
    return { nextStep: `Service ${target.service} exists but does not expose port ${dependency.port} (it exposes ${ports || 'none'}): fix the port the app uses or the Service's ports.`, facts };
  }
  return {
    nextStep: `Service ${target.service} exists and exposes ${dependency.port ?? 'the port'}, but nothing answered: check that its selector matches running, ready pods (its endpoints) and that they listen on the target port.`,
    facts,
  };
}

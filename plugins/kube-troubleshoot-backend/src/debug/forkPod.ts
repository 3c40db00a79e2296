import { PodJson } from '../clusters/kubeTypes';
import { FORK_ENTITY_ANNOTATION, FORK_EXPIRES_ANNOTATION, FORK_OF_LABEL, FORK_USER_ANNOTATION } from '../targets/forkMarks';

export interface ForkOptions {
  /** The container whose command is replaced by a sleep. */
  container: string;
  userRef: string;
  entityRef: string;
  ttlSeconds: number;
  now: Date;
  /** Keep the copy on the original's node. */
  sameNode: boolean;
  /** Suffix of the copy's name (random in production, fixed in tests). */
  suffix: string;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** A pod name that fits Kubernetes' 63-character limit for names used as hostnames. */
export function forkName(original: string, suffix: string): string {
  const tail = `-debug-${suffix}`;
  return `${original.slice(0, 63 - tail.length).replace(/-+$/, '')}${tail}`;
}

/**
 * A copy of a crash-looping pod to inspect by hand: no labels (so no Service or controller adopts
 * it), no ownerReferences, probes or init containers; the target container sleeps instead of
 * running its command (args cleared), nothing restarts, and the copy ends itself after the TTL
 * (activeDeadlineSeconds). A label and annotations say whose fork it is and when it expires, for
 * the list, the cleanup on session end and the reaper.
 */
export function buildFork(pod: PodJson, opts: ForkOptions): PodJson & { apiVersion: 'v1'; kind: 'Pod' } {
  const spec = structuredClone(pod.spec);
  const target = spec.containers.find(c => c.name === opts.container);
  if (!target) throw new Error(`container ${opts.container} is not valid for pod ${pod.metadata.name}`);
  const containers = spec.containers.map(c => {
    const copy = { ...c };
    for (const p of PROBES) delete copy[p];
    if (c.name === opts.container) {
      copy.command = ['sleep', String(opts.ttlSeconds)];
      delete copy.args;
    }
    return copy;
  });
  const next: PodJson['spec'] = { ...spec, containers, restartPolicy: 'Never', activeDeadlineSeconds: opts.ttlSeconds };
  delete next.initContainers;
  delete next.ephemeralContainers;
  if (!opts.sameNode) delete next.nodeName;
  const expires = new Date(opts.now.getTime() + opts.ttlSeconds * 1000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: forkName(pod.metadata.name, opts.suffix),
      namespace: pod.metadata.namespace,
      labels: { [FORK_OF_LABEL]: pod.metadata.name },
      annotations: {
        [FORK_USER_ANNOTATION]: opts.userRef,
        [FORK_ENTITY_ANNOTATION]: opts.entityRef,
        [FORK_EXPIRES_ANNOTATION]: expires.toISOString(),
      },
    },
    spec: next,
  };
}

/** Whether a fork's expiry annotation has passed (a fork without one is treated as expired). */
export function isExpiredFork(pod: PodJson, now: Date): boolean {
  const at = Date.parse(pod.metadata.annotations?.[FORK_EXPIRES_ANNOTATION] ?? '');
  return Number.isNaN(at) || at <= now.getTime();
}

import { randomBytes } from 'node:crypto';
import { KubeApi } from '../clusters/KubeClient';
import { KubeApiError } from '../clusters/KubeApiError';
import { ListJson, PodJson } from '../clusters/kubeTypes';
import { ForkSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { FORK_EXPIRES_ANNOTATION, FORK_OF_LABEL, FORK_USER_ANNOTATION } from '../targets/forkMarks';
import { DebugStartError, startPolling } from './EphemeralDebugger';
import { buildFork, isExpiredFork } from './forkPod';

const podPath = (namespace: string, name?: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name ? `/${encodeURIComponent(name)}` : ''}`;

export function summarizeFork(cluster: string, pod: PodJson): ForkSummary {
  const a = pod.metadata.annotations ?? {};
  return {
    cluster,
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    forkOf: pod.metadata.labels?.[FORK_OF_LABEL] ?? '',
    user: a[FORK_USER_ANNOTATION] ?? '',
    expiresAt: a[FORK_EXPIRES_ANNOTATION] ?? '',
    phase: pod.status?.phase ?? 'Pending',
  };
}

/** Creates the copy and waits until its target container runs (the sleep that replaced the command). */
export async function createFork(
  client: KubeApi,
  pod: PodJson,
  input: { container: string; userRef: string; entityRef: string; ttlSeconds: number; sameNode: boolean; timeoutMs: number },
): Promise<PodJson> {
  const fork = buildFork(pod, { ...input, now: new Date(), suffix: randomBytes(3).toString('hex').slice(0, 5) });
  const namespace = pod.metadata.namespace ?? 'default';
  await client.send('POST', podPath(namespace), fork);
  const deadline = Date.now() + input.timeoutMs;
  const pause = startPolling();
  for (;;) {
    const current = await client.getJson<PodJson>(podPath(namespace, fork.metadata.name));
    const state = current.status?.containerStatuses?.find(s => s.name === input.container)?.state;
    if (state?.running) return current;
    const reason = state?.waiting?.reason ?? state?.terminated?.reason;
    if (state?.terminated || /ErrImagePull|ImagePullBackOff|CreateContainer/.test(reason ?? '') || Date.now() > deadline) {
      await deleteFork(client, namespace, fork.metadata.name).catch(() => undefined);
      throw new DebugStartError(`the copy ${fork.metadata.name} did not start (${reason ?? 'no status'}${state?.waiting?.message ? `: ${state.waiting.message}` : ''}); it was deleted`, Date.now() > deadline ? 504 : 502);
    }
    await pause();
  }
}

export async function deleteFork(client: KubeApi, namespace: string, name: string) {
  await client.send('DELETE', podPath(namespace, name), { gracePeriodSeconds: 0 });
}

/**
 * Deletes the forks whose time is up, in every namespace of one cluster; returns what it deleted.
 * A copy that is gone by the time it is deleted (its session's end took it) was not reaped here.
 */
export async function reapExpiredForks(client: KubeApi, now = new Date()): Promise<ForkSummary[]> {
  const list = await client.getJson<ListJson<PodJson>>('/api/v1/pods', { labelSelector: FORK_OF_LABEL });
  const expired = list.items.filter(p => !p.metadata.deletionTimestamp && isExpiredFork(p, now));
  const reaped: ForkSummary[] = [];
  for (const pod of expired) {
    try {
      await deleteFork(client, pod.metadata.namespace ?? 'default', pod.metadata.name);
    } catch (e) {
      if ((e as KubeApiError).statusCode === 404) continue;
      throw e;
    }
    reaped.push(summarizeFork(client.name, pod));
  }
  return reaped;
}


import { KubeApi } from '../clusters/KubeClient';
import { ContainerJson, PodJson } from '../clusters/kubeTypes';
import { StatusError } from '../http/errors';
import { buildDebugContainer, debugContainerName, ephemeralPatch } from './debugContainer';
import { DebugProfile } from './profiles';

/** Marks a debug container with the user who made it (env is one of the fields ephemeral containers may set). */
export const DEBUG_USER_ENV = 'KUBE_TROUBLESHOOT_USER';
/** And with what it is for: an interactive `shell`, or a `files` helper that only sleeps. */
export const DEBUG_PURPOSE_ENV = 'KUBE_TROUBLESHOOT_PURPOSE';

export type DebugPurpose = 'shell' | 'files';

/** How long a file helper lives: downloads within that time reuse it, then it ends by itself. */
export const FILE_HELPER_SECONDS = 300;
const FILE_HELPER_COMMAND = ['sleep', String(FILE_HELPER_SECONDS)];

const envOf = (c: ContainerJson, name: string) => (c.env ?? []).find(e => e.name === name)?.value;

/** What a debug container is for; one made before the mark existed is a shell only if it runs the image's own command. */
export function debugPurpose(c: ContainerJson): DebugPurpose {
  const marked = envOf(c, DEBUG_PURPOSE_ENV);
  if (marked === 'shell' || marked === 'files') return marked;
  return c.command?.length ? 'files' : 'shell';
}

/** The debug container did not come up: the image cannot be pulled, or it took too long. */
export class DebugStartError extends StatusError {
  constructor(message: string, statusCode: 502 | 504) {
    super(statusCode, message, 'DebugStartError');
  }
}

/** This user's running debug containers in the pod on one target, with what each is for. */
export function runningDebugContainers(pod: PodJson, userRef: string, target: string): Array<{ name: string; image?: string; purpose: DebugPurpose; startedAt?: string }> {
  const running = new Map((pod.status?.ephemeralContainerStatuses ?? []).filter(s => s.state?.running).map(s => [s.name, s.state?.running?.startedAt]));
  return (pod.spec.ephemeralContainers ?? [])
    .filter(c => envOf(c, DEBUG_USER_ENV) === userRef && running.has(c.name) && c.targetContainerName === target)
    .map(c => ({ name: c.name, image: c.image, purpose: debugPurpose(c), startedAt: running.get(c.name) }));
}

/**
 * A running interactive debug shell of this user in the pod, on the same target and image, to attach
 * to again. A file helper (a sleep) is never one: attaching to it would give a terminal where
 * nothing runs.
 */
export function reusableDebugContainer(pod: PodJson, userRef: string, target: string, image: string): string | undefined {
  return runningDebugContainers(pod, userRef, target).find(c => c.purpose === 'shell' && c.image === image)?.name;
}

/**
 * Waits between status checks of a container that is starting: 20 ms first (a container often runs
 * within tens of milliseconds), doubling to 320 ms, so a slow start costs few requests.
 */
export function startPolling(): () => Promise<void> {
  let ms = 20;
  return () =>
    new Promise(resolve => {
      setTimeout(resolve, ms);
      ms = Math.min(ms * 2, 320);
    });
}

/**
 * Adds a debug container to a pod (strategic-merge PATCH of `pods/ephemeralcontainers`) and waits
 * until it runs. Ephemeral containers cannot be removed: it stays in the pod spec, terminated, once
 * its session ends.
 */
export async function startDebugContainer(
  client: KubeApi,
  pod: PodJson,
  input: { target: string; image: string; profile: DebugProfile; userRef: string; timeoutMs: number; purpose?: DebugPurpose },
): Promise<string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = debugContainerName(pod);
  const container = {
    // A file helper only has to stay up while downloads read through it.
    ...buildDebugContainer({ name, image: input.image, target: input.target, profile: input.profile, command: input.purpose === 'files' ? FILE_HELPER_COMMAND : undefined }),
    env: [
      { name: DEBUG_USER_ENV, value: input.userRef },
      { name: DEBUG_PURPOSE_ENV, value: input.purpose ?? 'shell' },
    ],
  };
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`;
  await client.send('PATCH', `${path}/ephemeralcontainers`, ephemeralPatch(container), 'application/strategic-merge-patch+json');
  const deadline = Date.now() + input.timeoutMs;
  const pause = startPolling();
  for (;;) {
    const current = await client.getJson<PodJson>(path);
    const status = current.status?.ephemeralContainerStatuses?.find(s => s.name === name);
    if (status?.state?.running) return name;
    const waiting = status?.state?.waiting;
    if (waiting && /ErrImagePull|ImagePullBackOff|InvalidImageName/.test(waiting.reason ?? '')) {
      throw new DebugStartError(`the debug image ${input.image} cannot be pulled (${waiting.reason}): ${waiting.message ?? ''}`.trim(), 502);
    }
    if (waiting?.reason === 'CreateContainerConfigError' || waiting?.reason === 'CreateContainerError') {
      throw new DebugStartError(`the debug container ${name} cannot start with profile ${input.profile}: ${waiting.message ?? waiting.reason}`, 502);
    }
    if (status?.state?.terminated) {
      throw new DebugStartError(`the debug container ${name} exited at once (${status.state.terminated.reason ?? 'exit code'} ${status.state.terminated.exitCode ?? ''})`.trim(), 502);
    }
    if (Date.now() > deadline) {
      throw new DebugStartError(`the debug container ${name} did not start within ${Math.round(input.timeoutMs / 1000)} s (${waiting?.reason ?? 'no status yet'})`, 504);
    }
    await pause();
  }
}

import { KubeApi } from '../clusters/KubeClient';
import { PodJson } from '../clusters/kubeTypes';
import { StatusError } from '../http/errors';
import { buildDebugContainer, debugContainerName, ephemeralPatch } from './debugContainer';
import { DebugProfile } from './profiles';

/** Marks a debug container with the user who made it (env is one of the fields ephemeral containers may set). */
export const DEBUG_USER_ENV = 'KUBE_TROUBLESHOOT_USER';

/** The debug container did not come up: the image cannot be pulled, or it took too long. */
export class DebugStartError extends StatusError {
  constructor(message: string, statusCode: 502 | 504) {
    super(statusCode, message, 'DebugStartError');
  }
}

/** A running debug container of this user in the pod, on the same target and image, to attach to again. */
export function reusableDebugContainer(pod: PodJson, userRef: string, target: string, image: string): string | undefined {
  const running = new Set((pod.status?.ephemeralContainerStatuses ?? []).filter(s => s.state?.running).map(s => s.name));
  return (pod.spec.ephemeralContainers ?? []).find(c => {
    const mine = (c.env ?? []).some(e => e.name === DEBUG_USER_ENV && e.value === userRef);
    return mine && running.has(c.name) && c.targetContainerName === target && c.image === image;
  })?.name;
}

/**
 * Adds a debug container to a pod (strategic-merge PATCH of `pods/ephemeralcontainers`) and waits
 * until it runs. Ephemeral containers cannot be removed: it stays in the pod spec, terminated, once
 * its session ends.
 */
export async function startDebugContainer(
  client: KubeApi,
  pod: PodJson,
  input: { target: string; image: string; profile: DebugProfile; userRef: string; timeoutMs: number; pollMs?: number; command?: string[] },
): Promise<string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = debugContainerName(pod);
  const container = {
    ...buildDebugContainer({ name, image: input.image, target: input.target, profile: input.profile, command: input.command }),
    env: [{ name: DEBUG_USER_ENV, value: input.userRef }],
  };
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`;
  await client.send('PATCH', `${path}/ephemeralcontainers`, ephemeralPatch(container), 'application/strategic-merge-patch+json');
  const deadline = Date.now() + input.timeoutMs;
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
    await new Promise(r => setTimeout(r, input.pollMs ?? 100));
  }
}

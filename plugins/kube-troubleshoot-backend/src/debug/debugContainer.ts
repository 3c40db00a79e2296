import { PodJson } from '../clusters/kubeTypes';
import { DebugProfile, profileSecurityContext, SecurityContext } from './profiles';

export interface EphemeralDebugContainer {
  name: string;
  image: string;
  imagePullPolicy: 'IfNotPresent';
  stdin: true;
  stdinOnce: true;
  tty: true;
  targetContainerName: string;
  terminationMessagePolicy: 'File';
  securityContext?: SecurityContext;
  command?: string[];
  env?: Array<{ name: string; value: string }>;
}

/** kubectl's alphabet for generated names (utilrand: no vowels, no confusable digits). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `debugger-xxxxx`, unique among the pod's containers; `random` is injectable for tests. */
export function debugContainerName(pod: PodJson, random: () => number = Math.random): string {
  const taken = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map(c => c.name));
  for (;;) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)];
    const name = `debugger-${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/**
 * The ephemeral container of a debug session: the tool image in the target's process namespace,
 * on a terminal whose stdin closes when the session ends (stdinOnce), with the profile's security
 * context and none of the fields Kubernetes forbids for ephemeral containers.
 */
export function buildDebugContainer(input: { name: string; image: string; target: string; profile: DebugProfile; command?: string[] }): EphemeralDebugContainer {
  const securityContext = profileSecurityContext(input.profile);
  return {
    ...(input.command ? { command: input.command } : {}),
    name: input.name,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    stdin: true,
    stdinOnce: true,
    tty: true,
    targetContainerName: input.target,
    terminationMessagePolicy: 'File',
    ...(securityContext ? { securityContext } : {}),
  };
}

/** The strategic-merge patch that adds it (merge key `name`: existing ephemeral containers stay). */
export function ephemeralPatch(container: EphemeralDebugContainer) {
  return { spec: { ephemeralContainers: [container] } };
}

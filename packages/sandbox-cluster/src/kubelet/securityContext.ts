import { ContainerSpec, Pod } from '../store/pod';

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
}

export type ContainerUser = { uid: number; gid: number; home: string } | { error: string };

/** One /etc/passwd entry: name, uid, gid, home. */
export function passwdEntry(passwd: string, uid: number): { gid: number; home: string } | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && Number(f[2]) === uid) return { gid: Number(f[3]), home: f[5] || '/' };
  }
  return undefined;
}

/**
 * The user a container runs as, as the kubelet and containerd decide it: the container's
 * securityContext over the pod's, the image's user (root here) when neither says; the group from
 * runAsGroup, else the user's passwd entry, else 0. runAsNonRoot refuses uid 0 with the kubelet's text.
 */
export function containerUser(pod: Pod, spec: ContainerSpec, passwd: string): ContainerUser {
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext;
  const sc = (spec.securityContext ?? {}) as SecurityContext;
  const uid = sc.runAsUser ?? podSc.runAsUser ?? 0;
  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot ?? false;
  if (nonRoot && uid === 0) {
    const podDesc = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    const reason = sc.runAsUser === 0 || podSc.runAsUser === 0 ? "container's runAsUser breaks non-root policy" : 'container has runAsNonRoot and image will run as root';
    return { error: `${reason} (pod: "${podDesc}", container: ${spec.name})` };
  }
  const entry = passwdEntry(passwd, uid);
  return { uid, gid: sc.runAsGroup ?? podSc.runAsGroup ?? entry?.gid ?? 0, home: entry?.home ?? '/' };
}

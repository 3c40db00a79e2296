/**
 * `kubectl debug --profile` semantics (kubectl 1.31-1.33, pkg/cmd/debug/profiles.go), as pure
 * functions over plain JSON objects: what each profile does to the debug container and to a pod copy.
 */
export const DEBUG_PROFILES = ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'] as const;
export type DebugProfile = (typeof DEBUG_PROFILES)[number];

export interface SecurityContext {
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
  [key: string]: unknown;
}

export function isDebugProfile(value: unknown): value is DebugProfile {
  return typeof value === 'string' && (DEBUG_PROFILES as readonly string[]).includes(value);
}

function addCapabilities(sc: SecurityContext | undefined, caps: string[]): SecurityContext {
  const next = { ...(sc ?? {}) };
  const add = [...(next.capabilities?.add ?? [])];
  for (const c of caps) if (!add.includes(c)) add.push(c);
  next.capabilities = { ...(next.capabilities ?? {}), add };
  return next;
}

/** The debug container's securityContext under a profile (undefined: none). */
export function profileSecurityContext(profile: DebugProfile, current?: SecurityContext): SecurityContext | undefined {
  switch (profile) {
    case 'general':
      return addCapabilities(current, ['SYS_PTRACE']);
    case 'baseline':
      return undefined;
    case 'restricted':
      return {
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        allowPrivilegeEscalation: false,
        seccompProfile: { type: 'RuntimeDefault' },
      };
    case 'netadmin':
      return addCapabilities(current, ['NET_ADMIN', 'NET_RAW']);
    case 'sysadmin':
      return { ...(current ?? {}), privileged: true };
    default:
      throw new Error(`unknown debug profile ${String(profile)}`);
  }
}

import { randomBytes } from 'node:crypto';

/** One RBAC-like rule: `resources` use the `pods/log` form for subresources; `*` matches anything. */
export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

export interface TokenIdentity {
  /** The user name Kubernetes puts in Forbidden messages. */
  user: string;
  rules: PolicyRule[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const READ = ['get', 'list', 'watch'];

/** The identities every sandbox has; tokens are random per start and written into the kubeconfig. */
export const BUILTIN_IDENTITIES = {
  admin: {
    user: 'system:serviceaccount:kube-system:sandbox-admin',
    rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  },
  readonly: {
    user: 'system:serviceaccount:kube-system:sandbox-readonly',
    rules: [{ verbs: READ, apiGroups: ['*'], resources: ['*'] }],
  },
  nologs: {
    user: 'system:serviceaccount:kube-system:sandbox-nologs',
    rules: [
      {
        verbs: READ,
        apiGroups: ['', 'apps', 'events.k8s.io'],
        resources: ['pods', 'events', 'namespaces', 'nodes', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs'],
      },
    ],
  },
} satisfies Record<string, TokenIdentity>;

export type BuiltinIdentityName = keyof typeof BUILTIN_IDENTITIES;

const matches = (list: string[], value: string) => list.includes('*') || list.includes(value);

export function ruleAllows(rule: PolicyRule, attrs: ResourceAttributes): boolean {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  // RBAC's ResourceMatches: `*`, the exact `pods/log`, or `*/log` for one subresource of any resource.
  const resourceOk =
    rule.resources.includes('*') ||
    rule.resources.includes(resource) ||
    (!!attrs.subresource && rule.resources.includes(`*/${attrs.subresource}`));
  return matches(rule.verbs, attrs.verb) && matches(rule.apiGroups, attrs.group) && resourceOk;
}

export function isAllowed(identity: TokenIdentity, attrs: ResourceAttributes): boolean {
  return identity.rules.some(rule => ruleAllows(rule, attrs));
}

/** Bearer token -> identity. */
export class TokenRegistry {
  private readonly byToken = new Map<string, TokenIdentity>();

  add(identity: TokenIdentity, token = randomBytes(24).toString('hex')): string {
    this.byToken.set(token, identity);
    return token;
  }

  /** Reads `Authorization: Bearer <token>`; undefined when absent or unknown. */
  authenticate(header: string | undefined): TokenIdentity | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    return m ? this.byToken.get(m[1]) : undefined;
  }
}

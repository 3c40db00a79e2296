import { readManifests } from '../workloads/loadWorkloads';
import { PolicyRule, TokenIdentity } from './authz';

interface RoleRef {
  kind: string;
  name: string;
}
interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * The identity a file of RBAC manifests grants (ServiceAccount, ClusterRoles, ClusterRoleBindings, as
 * `kubectl apply -f` would create them): its one ServiceAccount subject, as the apiserver names it
 * (`system:serviceaccount:NS:NAME`), with the rules of every ClusterRole bound to it. The sandbox has
 * no RBAC objects of its own; this is how a test or the demo holds a token with exactly those rules.
 */
export function readRbacIdentity(file: string): TokenIdentity {
  const objects = readManifests([file]);
  const roles = new Map(
    objects.filter(o => o.kind === 'ClusterRole').map(o => [o.metadata.name, ((o as unknown as { rules?: PolicyRule[] }).rules ?? [])]),
  );
  const bindings = objects.filter(o => o.kind === 'ClusterRoleBinding') as unknown as { metadata: { name: string }; roleRef: RoleRef; subjects?: Subject[] }[];
  const accounts = bindings.flatMap(b => (b.subjects ?? []).filter(s => s.kind === 'ServiceAccount'));
  const users = [...new Set(accounts.map(s => `system:serviceaccount:${s.namespace ?? 'default'}:${s.name}`))];
  if (users.length !== 1) {
    throw new Error(`${file}: expected ClusterRoleBindings to one ServiceAccount, found ${users.length ? users.join(', ') : 'none'}`);
  }
  const rules: PolicyRule[] = [];
  for (const b of bindings) {
    if (b.roleRef.kind !== 'ClusterRole') throw new Error(`${file}: ClusterRoleBinding ${b.metadata.name} refers to a ${b.roleRef.kind}; only ClusterRoles are read`);
    const bound = roles.get(b.roleRef.name);
    if (!bound) throw new Error(`${file}: ClusterRoleBinding ${b.metadata.name} refers to ClusterRole ${b.roleRef.name}, which the file does not define`);
    rules.push(...bound.map(r => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] })));
  }
  return { user: users[0], rules };
}

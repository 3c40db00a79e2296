import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRbacIdentity } from './rbacFile';

const example = path.resolve(__dirname, '../../../../examples/rbac.yaml');

describe('readRbacIdentity', () => {
  it("reads examples/rbac.yaml as the service account with its ClusterRole's rules", () => {
    const identity = readRbacIdentity(example);
    expect(identity.user).toBe('system:serviceaccount:backstage:kube-troubleshoot');
    expect(identity.rules).toContainEqual({ apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] });
    expect(identity.rules.flatMap(r => r.resources)).not.toContain('secrets');
  });

  it.each([
    ['no binding', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}\n', 'expected ClusterRoleBindings to one ServiceAccount, found none'],
    [
      'a binding to a role the file lacks',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: r, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: ServiceAccount, name: a, namespace: x}]\n',
      'ClusterRoleBinding b refers to ClusterRole r, which the file does not define',
    ],
  ])('refuses %s, saying what is wrong', (_what, yaml, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-'));
    try {
      fs.writeFileSync(path.join(dir, 'rbac.yaml'), yaml);
      expect(() => readRbacIdentity(path.join(dir, 'rbac.yaml'))).toThrow(message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

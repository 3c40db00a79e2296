import { forbidden, notFound } from './status';

describe('Status bodies', () => {
  it('writes NotFound with the apiserver field order', () => {
    expect(JSON.stringify(notFound('pods', 'web-1').status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"web-1\\" not found","reason":"NotFound","details":{"name":"web-1","kind":"pods"},"code":404}',
    );
  });
  it('writes Forbidden naming user, verb, resource, group and namespace', () => {
    const err = forbidden({ user: 'jane', verb: 'create', resource: 'pods', subresource: 'exec', group: '', namespace: 'default', name: 'web-1' });
    expect(err.status.message).toBe('pods "web-1" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "default"');
    expect(err.code).toBe(403);
    const cluster = forbidden({ user: 'jane', verb: 'list', resource: 'nodes', group: '' });
    expect(cluster.status.message).toBe('nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});

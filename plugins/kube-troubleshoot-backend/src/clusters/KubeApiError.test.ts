import { translateKubeError, unreachable } from './KubeApiError';

const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

describe('translateKubeError', () => {
  it('keeps Kubernetes\' text for request errors', () => {
    const e = translateKubeError('c1', 400, status(400, 'BadRequest', 'container x is not valid for pod p'));
    expect(e).toMatchObject({ message: 'container x is not valid for pod p', statusCode: 400, reason: 'BadRequest' });
  });
  it('names the RBAC verb, resource and namespace the service account lacks', () => {
    const e = translateKubeError('c1', 403, status(403, 'Forbidden', 'pods "p" is forbidden: User "sa" cannot get resource "pods/log" in API group "" in the namespace "shop"'));
    expect(e.statusCode).toBe(403);
    expect(e.message).toMatch(/^the plugin's service account on cluster "c1" lacks RBAC permission "get" on "pods\/log" in namespace "shop"; grant it as in examples\/rbac.yaml/);
  });
  it('tells a rejected plugin credential from a user problem', () => {
    expect(translateKubeError('c1', 401, status(401, 'Unauthorized', 'Unauthorized'))).toMatchObject({ statusCode: 502, message: expect.stringContaining('serviceAccountToken') });
    expect(translateKubeError('c1', 500, 'boom').statusCode).toBe(502);
  });
  it('says which cluster cannot be reached', () => {
    expect(unreachable('c1', 'https://k:6443', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toMatchObject({
      message: 'cluster "c1" is unreachable at https://k:6443: ECONNREFUSED',
      statusCode: 503,
    });
  });
});

import { classifyPullFailure, parseImageRef, pullAdvice } from './imagePull';

describe('image pull failures', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['sandbox.local/reports:2.0-missing', { registry: 'sandbox.local', repository: 'reports', tag: '2.0-missing' }],
    ['localhost:5000/app@sha256:abc', { registry: 'localhost:5000', repository: 'app', tag: 'sha256:abc' }],
    ['ghcr.io/org/team/app:1.2', { registry: 'ghcr.io', repository: 'org/team/app', tag: '1.2' }],
  ])('%s is %j', (image, ref) => expect(parseImageRef(image)).toEqual(ref));

  it.each([
    ['ErrImagePull', 'rpc error: code = NotFound desc = failed to pull and unpack image "x:1": failed to resolve reference "x:1": x:1: not found', 'not-found'],
    ['ErrImagePull', 'failed to resolve reference "r.io/a:1": unexpected status from HEAD request: 401 Unauthorized', 'unauthorized'],
    ['ErrImagePull', 'pull access denied for a, repository does not exist or may require docker login', 'unauthorized'],
    ['ErrImagePull', 'dial tcp: lookup registry.corp.example on 10.96.0.10:53: no such host', 'unreachable'],
    ['ErrImagePull', 'failed to do request: Head "https://r.io/v2/a/manifests/1": dial tcp 10.1.2.3:443: i/o timeout', 'unreachable'],
    ['ImagePullBackOff', 'Back-off pulling image "x:1": manifest unknown', 'not-found'],
    ['InvalidImageName', 'Failed to apply default image tag "X Y": couldn\'t parse image reference', 'invalid-name'],
    ['ErrImageNeverPull', 'Container image "x:1" is not present with pull policy of Never', 'never-pull'],
    ['ErrImagePull', 'something else', 'unknown'],
  ])('%s "%s" is %s', (reason, message, kind) => expect(classifyPullFailure(reason, message)).toBe(kind));

  it('advises per failure, naming the registry, repository and tag', () => {
    expect(pullAdvice('not-found', 'sandbox.local/reports:2.0-missing').cause).toBe('the tag 2.0-missing of reports does not exist in sandbox.local');
    expect(pullAdvice('unauthorized', 'r.io/a:1').nextStep).toContain('imagePullSecret');
    expect(pullAdvice('unreachable', 'r.io/a:1').cause).toBe('the node could not reach the registry r.io');
  });
});

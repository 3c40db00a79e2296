import { Pod } from '../store/pod';
import { checkPodRunnable, podRunErrors } from './podValidation';

const pod = (spec: Record<string, unknown>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }) as Pod;

describe('what the sandbox checks before running a pod', () => {
  it('accepts an ordinary pod', () => {
    expect(podRunErrors(pod({ securityContext: { runAsUser: 1000 }, containers: [{ name: 'app-1', image: 'i', workingDir: '/srv/app', securityContext: { runAsGroup: 0 } }] }))).toEqual([]);
  });
  it.each([
    [{ containers: [{ name: '../x', image: 'i' }] }, 'spec.containers[0].name'],
    [{ containers: [{ name: 'c', image: 'i', workingDir: '../../etc' }] }, 'spec.containers[0].workingDir'],
    [{ containers: [{ name: 'c', image: 'i', workingDir: '/srv/../../etc' }] }, 'spec.containers[0].workingDir'],
    [{ containers: [{ name: 'c', image: 'i', securityContext: { runAsUser: '1; reboot' } }] }, 'spec.containers[0].securityContext.runAsUser'],
    [{ securityContext: { runAsGroup: -1 } }, 'spec.securityContext.runAsGroup'],
    [{ ephemeralContainers: [{ name: 'd', image: 'i', securityContext: { runAsUser: 1.5 } }] }, 'spec.ephemeralContainers[0].securityContext.runAsUser'],
  ])('refuses %j at %s', (spec, field) => {
    expect(podRunErrors(pod(spec)).map(e => e.field)).toEqual([field]);
  });
  it("throws the apiserver's 422", () => {
    expect(() => checkPodRunnable(pod({ securityContext: { runAsUser: -1 } }))).toThrow('Pod "p" is invalid: spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive');
  });
});

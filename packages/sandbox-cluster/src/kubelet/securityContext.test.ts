import { Pod } from '../store/pod';
import { containerUser, passwdEntry } from './securityContext';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1001:Alice:/home/alice:/bin/sh\n';
const pod = (podSc: object, sc: object): Pod =>
  ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { securityContext: podSc, containers: [{ name: 'c', image: 'i', securityContext: sc }] } }) as unknown as Pod;
const user = (podSc: object, sc: object) => containerUser(pod(podSc, sc), pod(podSc, sc).spec.containers[0], passwd);

describe('the container user', () => {
  it.each([
    [{}, {}, { uid: 0, gid: 0, home: '/root' }],
    [{ runAsUser: 1000 }, {}, { uid: 1000, gid: 1001, home: '/home/alice' }],
    [{ runAsUser: 1000 }, { runAsUser: 2000 }, { uid: 2000, gid: 0, home: '/' }],
    [{ runAsGroup: 5 }, { runAsUser: 1000 }, { uid: 1000, gid: 5, home: '/home/alice' }],
    [{ runAsNonRoot: true }, { runAsUser: 1000 }, { uid: 1000, gid: 1001, home: '/home/alice' }],
  ])('pod %j, container %j -> %j', (podSc, sc, expected) => {
    expect(user(podSc, sc)).toEqual(expected);
  });

  it("refuses root under runAsNonRoot with the kubelet's texts", () => {
    expect(user({ runAsNonRoot: true }, {})).toEqual({ error: 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)' });
    expect(user({}, { runAsNonRoot: true, runAsUser: 0 })).toEqual({ error: 'container\'s runAsUser breaks non-root policy (pod: "p_ns(u1)", container: c)' });
  });

  it('reads passwd entries', () => {
    expect(passwdEntry(passwd, 1000)).toEqual({ gid: 1001, home: '/home/alice' });
    expect(passwdEntry(passwd, 7)).toBeUndefined();
  });
});

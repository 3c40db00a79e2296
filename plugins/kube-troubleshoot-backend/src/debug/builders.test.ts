import { PodJson } from '../clusters/kubeTypes';
import { FORK_ENTITY_ANNOTATION, FORK_EXPIRES_ANNOTATION, FORK_OF_LABEL, FORK_USER_ANNOTATION } from '../targets/forkMarks';
import { buildDebugContainer, debugContainerName, ephemeralPatch } from './debugContainer';
import { buildFork, forkName, isExpiredFork } from './forkPod';
import { DEBUG_PROFILES, profileSecurityContext } from './profiles';

const pod = (extra: Partial<PodJson['spec']> = {}): PodJson => ({
  metadata: {
    name: 'search-indexer-7d9f-abcde',
    namespace: 'default',
    labels: { app: 'search-indexer', 'backstage.io/kubernetes-id': 'search-indexer', 'pod-template-hash': '7d9f' },
    annotations: { 'kubectl.kubernetes.io/default-container': 'indexer' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'search-indexer-7d9f', uid: 'u1', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    restartPolicy: 'Always',
    containers: [
      { name: 'indexer', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'exit 1'], args: ['--x'], livenessProbe: { exec: { command: ['true'] } }, readinessProbe: {} },
      { name: 'side', image: 'sandbox.local/toolbox:1', startupProbe: {} },
    ],
    initContainers: [{ name: 'migrate', image: 'sandbox.local/toolbox:1' }],
    ephemeralContainers: [{ name: 'debugger-old', image: 'x' }],
    ...extra,
  },
});

describe('debug profiles (kubectl debug semantics)', () => {
  it.each([
    ['general', { capabilities: { add: ['SYS_PTRACE'] } }],
    ['baseline', undefined],
    ['restricted', { runAsNonRoot: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } }],
    ['netadmin', { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } }],
    ['sysadmin', { privileged: true }],
  ] as const)('%s', (profile, expected) => {
    expect(profileSecurityContext(profile)).toEqual(expected);
  });
  it('adds capabilities to what is there without repeating them', () => {
    expect(profileSecurityContext('netadmin', { capabilities: { add: ['NET_RAW', 'CHOWN'] } })).toEqual({ capabilities: { add: ['NET_RAW', 'CHOWN', 'NET_ADMIN'] } });
  });
  it('knows every profile', () => expect(DEBUG_PROFILES).toEqual(['general', 'baseline', 'restricted', 'netadmin', 'sysadmin']));
});

describe('the ephemeral debug container', () => {
  it.each(DEBUG_PROFILES.map(p => [p]))('under %s: a terminal in the target, only allowed fields', profile => {
    const c = buildDebugContainer({ name: 'debugger-bcdfg', image: 'tools:1', target: 'indexer', profile });
    expect(c).toMatchObject({ name: 'debugger-bcdfg', image: 'tools:1', stdin: true, stdinOnce: true, tty: true, targetContainerName: 'indexer', terminationMessagePolicy: 'File' });
    const allowed = ['name', 'image', 'imagePullPolicy', 'stdin', 'stdinOnce', 'tty', 'targetContainerName', 'terminationMessagePolicy', 'securityContext'];
    expect(Object.keys(c).filter(k => !allowed.includes(k))).toEqual([]);
    expect(c.securityContext).toEqual(profileSecurityContext(profile));
    expect(ephemeralPatch(c)).toEqual({ spec: { ephemeralContainers: [c] } });
  });
  it('gets a kubectl-style name unique in the pod', () => {
    const values = [0, 0, 0, 0, 0, 0.99, 0.99, 0.99, 0.99, 0.99];
    const p = pod({ ephemeralContainers: [{ name: 'debugger-bbbbb', image: 'x' }] });
    expect(debugContainerName(p, () => values.shift()!)).toBe('debugger-99999');
    expect(debugContainerName(pod())).toMatch(/^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('the fork of a crash-looping pod', () => {
  const opts = { container: 'indexer', userRef: 'user:default/bob', entityRef: 'component:default/search-indexer', ttlSeconds: 3600, now: new Date('2026-01-01T00:00:00Z'), sameNode: true, suffix: 'x7k2p' };

  it('is stripped, sleeps instead of the command, never restarts and expires', () => {
    const fork = buildFork(pod(), opts);
    expect(fork.metadata).toEqual({
      name: 'search-indexer-7d9f-abcde-debug-x7k2p',
      namespace: 'default',
      labels: { [FORK_OF_LABEL]: 'search-indexer-7d9f-abcde' },
      annotations: { [FORK_USER_ANNOTATION]: 'user:default/bob', [FORK_ENTITY_ANNOTATION]: 'component:default/search-indexer', [FORK_EXPIRES_ANNOTATION]: '2026-01-01T01:00:00.000Z' },
    });
    expect(fork.spec.containers).toEqual([
      { name: 'indexer', image: 'sandbox.local/toolbox:1', command: ['sleep', '3600'] },
      { name: 'side', image: 'sandbox.local/toolbox:1' },
    ]);
    expect(fork.spec).toMatchObject({ restartPolicy: 'Never', activeDeadlineSeconds: 3600, nodeName: 'node-1' });
    expect(fork.spec.initContainers).toBeUndefined();
    expect(fork.spec.ephemeralContainers).toBeUndefined();
  });
  it('leaves the node to the scheduler when asked', () => {
    expect(buildFork(pod(), { ...opts, sameNode: false }).spec.nodeName).toBeUndefined();
  });
  it('refuses a container the pod does not have', () => {
    expect(() => buildFork(pod(), { ...opts, container: 'nope' })).toThrow('container nope is not valid for pod search-indexer-7d9f-abcde');
  });
  it('keeps names within 63 characters', () => {
    expect(forkName('a'.repeat(70), 'x7k2p')).toHaveLength(63);
    expect(forkName('short', 'x7k2p')).toBe('short-debug-x7k2p');
  });
  it('knows when a fork has expired', () => {
    const fork = buildFork(pod(), opts);
    expect(isExpiredFork(fork, new Date('2026-01-01T00:59:59Z'))).toBe(false);
    expect(isExpiredFork(fork, new Date('2026-01-01T01:00:00Z'))).toBe(true);
    expect(isExpiredFork({ ...fork, metadata: { ...fork.metadata, annotations: {} } }, new Date())).toBe(true);
  });
});

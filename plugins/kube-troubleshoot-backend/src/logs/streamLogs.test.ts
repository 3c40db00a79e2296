import { PodJson } from '../clusters/kubeTypes';
import { willRestart } from './streamLogs';

const pod = (restartPolicy: string | undefined, extra: Partial<PodJson['metadata']> = {}, phase = 'Running'): PodJson => ({
  metadata: { name: 'p', ...extra },
  spec: { containers: [{ name: 'c' }], ...(restartPolicy ? { restartPolicy } : {}) },
  status: { phase },
});
const exited = (exitCode: number) => ({ terminated: { exitCode } });

describe('whether a followed container will run again', () => {
  it.each([
    ['Always (default), after an error', pod(undefined), exited(1), undefined, true],
    ['Always, after success', pod('Always'), exited(0), undefined, true],
    ['Always, waiting in a back-off', pod('Always'), { waiting: { reason: 'CrashLoopBackOff' } }, exited(1), true],
    ['OnFailure, after an error', pod('OnFailure'), exited(2), undefined, true],
    ['OnFailure, after success', pod('OnFailure'), exited(0), undefined, false],
    ['OnFailure, waiting after an error', pod('OnFailure'), { waiting: { reason: 'CrashLoopBackOff' } }, exited(2), true],
    ['Never', pod('Never'), exited(1), undefined, false],
    ['a pod being deleted', pod('Always', { deletionTimestamp: '2026-01-01T00:00:00Z' }), exited(1), undefined, false],
    ['a finished pod', pod('Always', {}, 'Failed'), exited(1), undefined, false],
    ['a running container (not ended)', pod('Always'), { running: {} }, undefined, false],
  ])('%s: %s', (_what, p, state, last, expected) => expect(willRestart(p, state, last)).toBe(expected));
});

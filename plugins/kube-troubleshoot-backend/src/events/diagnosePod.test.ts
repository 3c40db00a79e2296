import { KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import { PodJson } from '../clusters/kubeTypes';
import { diagnosePod } from './diagnosePod';

const pod = (status: PodJson['status'], meta: Partial<PodJson['metadata']> = {}): PodJson => ({
  metadata: { name: 'web-1', namespace: 'shop', ...meta },
  spec: { containers: [{ name: 'main', image: 'img:1' }] },
  status,
});
const event = (reason: string, message: string, fieldPath?: string): KubeEvent => ({
  id: reason, cluster: 'c', namespace: 'shop', type: 'Warning', reason, message, count: 3, lastSeen: '2026-01-01T00:00:00Z', object: { kind: 'Pod', name: 'web-1', fieldPath },
});
const running = { name: 'main', ready: true, restartCount: 0, image: 'img:1', state: { running: {} } };

describe('diagnosePod', () => {
  it.each([
    {
      name: 'unschedulable',
      pod: pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'cond msg' }] }),
      events: [event('FailedScheduling', "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.")],
      want: { severity: 'error', verdict: "web-1 cannot be scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." },
    },
    {
      name: 'image pull',
      pod: pod({ phase: 'Pending', containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: 'img:9', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }] }),
      events: [event('Failed', 'Failed to pull image "img:9": not found', 'spec.containers{main}')],
      want: { severity: 'error', container: 'main', verdict: 'web-1 cannot pull the image img:9 of container main (ImagePullBackOff)', details: ['Failed to pull image "img:9": not found'] },
    },
    {
      name: 'crash loop',
      pod: pod({ phase: 'Running', containerStatuses: [{ name: 'main', ready: false, restartCount: 4, image: 'img:1', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }] }),
      tail: { main: ['boom'] },
      want: { severity: 'error', verdict: 'container main of web-1 keeps crashing (exit code 1, Error) and restarts with a back-off (CrashLoopBackOff); 4 restarts so far', details: ['last lines of the previous container:', 'boom'] },
    },
    {
      name: 'OOMKilled',
      pod: pod({ phase: 'Running', containerStatuses: [{ name: 'main', ready: false, restartCount: 1, image: 'img:1', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }),
      want: { nextStep: 'It ran out of memory: raise its memory limit or find the leak (the last log lines are below).' },
    },
    {
      name: 'failing readiness probe',
      pod: pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ ...running, ready: false }] }),
      events: [event('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')],
      want: { severity: 'warning', verdict: 'web-1 is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503' },
    },
    {
      name: 'stuck terminating',
      pod: pod({ phase: 'Running', containerStatuses: [running] }, { deletionTimestamp: '2020-01-01T00:00:00Z', finalizers: ['example.com/cleanup'] }),
      want: { severity: 'error', verdict: 'web-1 is stuck Terminating: the finalizers example.com/cleanup have not been removed' },
    },
    {
      name: 'healthy',
      pod: pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running] }),
      want: { severity: 'ok', verdict: 'web-1 is running and ready', nextStep: 'Nothing to do.' },
    },
  ])('$name', ({ pod: p, events, tail, want }) => {
    expect(diagnosePod({ cluster: 'c', pod: p, events: events ?? [], previousLogTail: tail ?? {}, now: new Date('2026-01-01T00:00:00Z') })).toMatchObject(want);
  });
});

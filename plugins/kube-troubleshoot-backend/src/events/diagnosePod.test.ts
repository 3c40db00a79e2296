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
      want: { severity: 'error', verdict: "web-1 cannot be scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector", details: [] },
    },
    {
      name: 'image pull',
      pod: pod({ phase: 'Pending', containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: 'img:9', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }] }),
      events: [event('Failed', 'Failed to pull image "img:9": not found', 'spec.containers{main}')],
      want: {
        severity: 'error',
        container: 'main',
        verdict: 'web-1 cannot pull the image img:9 of container main: the tag 9 of library/img does not exist in docker.io (ImagePullBackOff)',
        details: ['Failed to pull image "img:9": not found'],
      },
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
      want: { nextStep: 'It was killed because the node ran out of memory: give it a memory request and limit that fit, or find what keeps growing.' },
    },
    {
      name: 'failing readiness probe',
      pod: pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ ...running, ready: false }] }),
      events: [event('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')],
      want: { severity: 'warning', verdict: 'web-1 is running but not ready: its readiness probe of main fails (HTTP probe failed with statuscode: 503)' },
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

  const crashing = (lastState: object, spec: Partial<PodJson['spec']['containers'][0]> = {}): PodJson => ({
    metadata: { name: 'search-indexer-1', namespace: 'default' },
    spec: { containers: [{ name: 'indexer', image: 'img:1', ...spec }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'indexer', ready: false, restartCount: 3, image: 'img:1', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState }] },
  });
  const refused = { indexer: ['search-indexer v2.3.1 starting', 'ERROR: connection refused: opensearch:9200'] };

  it('a crash on a dependency names host and port, and that no Service of that name exists', () => {
    const d = diagnosePod({
      cluster: 'c', pod: crashing({ terminated: { exitCode: 1, reason: 'Error' } }, { env: [{ name: 'OPENSEARCH_URL', value: 'http://opensearch:9200' }] }), events: [],
      previousLogTail: refused, evidence: { services: { default: [{ name: 'kubernetes', namespace: 'default', ports: [{ port: 443 }] }, { name: 'payments-api', namespace: 'default', ports: [{ port: 80 }] }] } },
    });
    expect(d.nextStep).toBe('No Service named opensearch exists in namespace default, so opensearch does not resolve: deploy opensearch there, or point the app at the right address (OPENSEARCH_URL).');
    expect(d.details.slice(0, 3)).toEqual([
      'it was refused at opensearch:9200: ERROR: connection refused: opensearch:9200',
      'the address comes from its environment: OPENSEARCH_URL',
      'Services in default: payments-api',
    ]);
  });

  it.each([
    [[{ port: 9200, protocol: 'TCP' }], 'Service opensearch exists and exposes 9200, but nothing answered'],
    [[{ port: 80 }], 'Service opensearch exists but does not expose port 9200 (it exposes 80/TCP)'],
  ])('with a Service of that name exposing %j: %s', (ports, step) => {
    const d = diagnosePod({ cluster: 'c', pod: crashing({ terminated: { exitCode: 1 } }), events: [], previousLogTail: refused, evidence: { services: { default: [{ name: 'opensearch', namespace: 'default', ports }] } } });
    expect(d.nextStep).toContain(step);
  });

  it('says when the Services could not be read', () => {
    const d = diagnosePod({ cluster: 'c', pod: crashing({ terminated: { exitCode: 1 } }), events: [], previousLogTail: refused, evidence: { services: {} } });
    expect(d.details).toContain('the Services of default could not be read to check for opensearch');
  });

  it('an OOM kill sets the limit against the peak memory seen', () => {
    const d = diagnosePod({
      cluster: 'c',
      pod: crashing({ terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:06Z' } }, { resources: { limits: { memory: '64Mi' } } }),
      events: [],
      previousLogTail: { indexer: [] },
      // The run after the kill, still climbing at 62 MiB, is not the killed run's peak.
      evidence: { memoryHistory: { indexer: [
        { at: '2026-01-01T00:00:02Z', memoryBytes: 30 * 2 ** 20 },
        { at: '2026-01-01T00:00:05Z', memoryBytes: 61 * 2 ** 20 },
        { at: '2026-01-01T00:00:20Z', memoryBytes: 62 * 2 ** 20 },
      ] } },
    });
    expect(d.verdict).toContain('(exit code 137, OOMKilled)');
    expect(d.nextStep).toBe('It was killed for using more than its 64 MiB memory limit (OOMKilled, exit code 137): raise resources.limits.memory above what it needs (the most seen in use before the kill was 61 MiB; a burst between two samples is not seen), or find what keeps growing (its last log lines are below).');
    expect(d.details.slice(0, 2)).toEqual(['memory limit: 64 MiB', 'the most memory seen in use before the kill: 61 MiB at 2026-01-01T00:00:05Z (95% of the limit)']);
  });

  it('a container running again between crashes is still a warning about its restarts', () => {
    const p = crashing({ terminated: { exitCode: 137, reason: 'OOMKilled' } }, { resources: { limits: { memory: '64Mi' } } });
    p.status!.containerStatuses![0] = { ...p.status!.containerStatuses![0], ready: true, state: { running: {} } };
    const d = diagnosePod({ cluster: 'c', pod: p, events: [], previousLogTail: { indexer: ['loaded batch 12'] } });
    expect(d).toMatchObject({ severity: 'warning', verdict: 'container indexer of search-indexer-1 runs again, but it restarted 3x; it last ended with exit code 137, OOMKilled' });
    expect(d.details).toEqual(['memory limit: 64 MiB', 'no memory sample of the run that was killed (metrics.k8s.io is sampled while someone looks at the entity)', 'last lines of the previous container:', 'loaded batch 12']);
  });

  it('an unschedulable pod names the unmatched selector once', () => {
    const p: PodJson = { metadata: { name: 'gpu-trainer', namespace: 'default' }, spec: { containers: [{ name: 't' }], nodeSelector: { accelerator: 'nvidia-a100' } }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    const msg = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    const d = diagnosePod({ cluster: 'c', pod: p, events: [event('FailedScheduling', msg)], evidence: { nodes: [{ name: 'n', labels: { 'kubernetes.io/os': 'linux' }, taints: [] }] } });
    expect(d.verdict).toBe('gpu-trainer cannot be scheduled: no node has the label accelerator=nvidia-a100 its nodeSelector asks for');
    expect(d.details).toEqual(["the scheduler: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector"]);
    expect([d.verdict, d.nextStep, ...d.details].join('\n').match(/0\/1 nodes are available/g)).toHaveLength(1);
  });

  it('a failing probe names the probe and its last answer', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ ...running, ready: false }] });
    p.spec.containers[0].readinessProbe = { httpGet: { path: '/ready', port: 8080 } };
    const d = diagnosePod({ cluster: 'c', pod: p, events: [event('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'spec.containers{main}')] });
    expect(d.verdict).toBe('web-1 is running but not ready: its readiness probe of main fails (HTTP probe failed with statuscode: 503)');
    expect(d.details).toEqual(['readiness probe of main: http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3', 'failed 3x, last answer: HTTP probe failed with statuscode: 503']);
    expect(d.nextStep).toContain('http-get http://:8080/ready');
  });
});

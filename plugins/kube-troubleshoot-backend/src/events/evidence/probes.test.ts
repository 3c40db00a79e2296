import { KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import { describeProbe, latestFailingProbe } from './probes';

const unhealthy = (message: string, lastSeen: string, container = 'web'): KubeEvent => ({
  id: lastSeen, cluster: 'c', namespace: 'n', type: 'Warning', reason: 'Unhealthy', message, count: 4, lastSeen, object: { kind: 'Pod', name: 'p', fieldPath: `spec.containers{${container}}` },
});

describe('failing probes', () => {
  it.each([
    [{ httpGet: { path: '/healthz', port: 8080 } }, 'http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3'],
    [{ tcpSocket: { port: 5432 }, periodSeconds: 5, failureThreshold: 6 }, 'tcp-socket :5432 delay=0s timeout=1s period=5s #success=1 #failure=6'],
    [{ exec: { command: ['cat', '/tmp/ready'] }, initialDelaySeconds: 3 }, 'exec [cat /tmp/ready] delay=3s timeout=1s period=10s #success=1 #failure=3'],
  ])('%j is described as kubectl does', (probe, text) => expect(describeProbe(probe)).toBe(text));

  it('finds the latest, with its spec and last answer', () => {
    const containers = [{ name: 'web', readinessProbe: { httpGet: { path: '/ready', port: 8080 } } }];
    const events = [
      unhealthy('Readiness probe failed: HTTP probe failed with statuscode: 500', '2026-01-01T00:00:01Z'),
      unhealthy('Readiness probe failed: HTTP probe failed with statuscode: 503', '2026-01-01T00:00:09Z'),
    ];
    expect(latestFailingProbe(containers, events)).toEqual({
      container: 'web', kind: 'Readiness', probe: 'http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3',
      output: 'HTTP probe failed with statuscode: 503', count: 4, lastSeen: '2026-01-01T00:00:09Z',
    });
    expect(latestFailingProbe(containers, [])).toBeUndefined();
  });
});

import { EventJson } from '../clusters/kubeTypes';
import { foldEvents, involvedSet } from './foldEvents';

const ev = (uid: string, name: string, reason: string, count: number, first: string, last: string, kind = 'Pod'): EventJson => ({
  metadata: { name: `${name}.${uid}`, namespace: 'shop', uid },
  involvedObject: { kind, name, namespace: 'shop' },
  reason,
  message: `${reason} happened`,
  type: reason === 'BackOff' ? 'Warning' : 'Normal',
  count,
  firstTimestamp: first,
  lastTimestamp: last,
  source: { component: 'kubelet' },
});

describe('foldEvents', () => {
  const involved = involvedSet([
    { cluster: 'c', namespace: 'shop', kind: 'Pod', name: 'web-1' },
    { cluster: 'c', namespace: 'shop', kind: 'Deployment', name: 'web' },
  ]);
  it('keeps the entity\'s objects only, folds repeats and sorts newest first', () => {
    const out = foldEvents(
      'c',
      [
        ev('1', 'web-1', 'BackOff', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z'),
        ev('2', 'web-1', 'BackOff', 2, '2026-01-01T00:06:00Z', '2026-01-01T00:09:00Z'),
        ev('3', 'web', 'ScalingReplicaSet', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'Deployment'),
        ev('4', 'other-pod', 'Started', 1, '2026-01-01T00:10:00Z', '2026-01-01T00:10:00Z'),
      ],
      involved,
    );
    expect(out.map(e => [e.reason, e.count, e.firstSeen, e.lastSeen])).toEqual([
      ['BackOff', 5, '2026-01-01T00:00:00Z', '2026-01-01T00:09:00Z'],
      ['ScalingReplicaSet', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ]);
    expect(out[0]).toMatchObject({ cluster: 'c', type: 'Warning', object: { kind: 'Pod', name: 'web-1' }, source: 'kubelet' });
  });
});

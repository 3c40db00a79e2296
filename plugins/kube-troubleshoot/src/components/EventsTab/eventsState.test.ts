import { KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import {
  applyEventMessage,
  initialEventsState,
  relativeTime,
  sortedEvents,
} from './eventsState';

const ev = (
  id: string,
  lastSeen: string,
  extra: Partial<KubeEvent> = {},
): KubeEvent => ({
  id,
  cluster: 'sandbox',
  namespace: 'default',
  type: 'Normal',
  reason: 'Started',
  message: `event ${id}`,
  count: 1,
  lastSeen,
  object: { kind: 'Pod', name: 'p' },
  ...extra,
});

describe('applyEventMessage', () => {
  it('replaces everything with a snapshot, then upserts and deletes by id', () => {
    let s = applyEventMessage(initialEventsState, {
      type: 'snapshot',
      events: [
        ev('a', '2024-01-01T00:00:01Z'),
        ev('b', '2024-01-01T00:00:02Z'),
      ],
      clusterErrors: [],
    });
    expect(s.loaded).toBe(true);
    s = applyEventMessage(s, {
      type: 'upsert',
      event: ev('a', '2024-01-01T00:00:05Z', { count: 4 }),
    });
    s = applyEventMessage(s, {
      type: 'upsert',
      event: ev('c', '2024-01-01T00:00:03Z'),
    });
    s = applyEventMessage(s, { type: 'delete', id: 'b' });
    expect(sortedEvents(s.byId).map(e => [e.id, e.count])).toEqual([
      ['a', 4],
      ['c', 1],
    ]);

    s = applyEventMessage(s, {
      type: 'snapshot',
      events: [ev('z', '2024-01-01T00:00:00Z')],
      clusterErrors: [],
    });
    expect([...s.byId.keys()]).toEqual(['z']);
  });

  it('ignores a delete of an unknown id and keeps watch errors', () => {
    const s = applyEventMessage(initialEventsState, {
      type: 'delete',
      id: 'nope',
    });
    expect(s).toBe(initialEventsState);
    expect(
      applyEventMessage(s, {
        type: 'error',
        message: 'watch failed',
        cluster: 'c1',
      }).streamErrors,
    ).toEqual(['c1: watch failed']);
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2024-01-02T00:00:00Z');
  it.each([
    ['2024-01-01T23:59:50Z', '10s ago'],
    ['2024-01-01T23:57:00Z', '3m ago'],
    ['2024-01-01T21:00:00Z', '3h ago'],
    ['2023-12-28T00:00:00Z', '5d ago'],
    [undefined, '—'],
  ])('%s is %s', (iso, text) => {
    expect(relativeTime(iso, now)).toBe(text);
  });
});

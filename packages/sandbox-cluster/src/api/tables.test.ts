import { humanDuration, podStatusColumns, toTable } from './tables';
import { Pod } from '../store/pod';

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [10 * 60_000, '10m'],
    [3 * 3600_000, '3h'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [9 * 3600_000, '9h'],
    [50 * 3600_000, '2d2h'],
    [10 * 86400_000, '10d'],
    [3 * 365 * 86400_000, '3y0d'],
  ])('%d ms -> %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

const basePod = (statuses: NonNullable<Pod['status']>['containerStatuses'], extra: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', creationTimestamp: new Date().toISOString(), ...extra },
  spec: { containers: (statuses ?? []).map(s => ({ name: s.name, image: 'i' })) },
  status: { phase: 'Running', containerStatuses: statuses },
});
const status = (name: string, state: object, lastState: object = {}, restartCount = 0) =>
  ({ name, state, lastState, ready: 'running' in state, restartCount, image: 'i', imageID: '', started: 'running' in state } as never);

describe('pod STATUS / READY / RESTARTS (printPod)', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  it('shows the waiting reason and restarts with their age', () => {
    const pod = basePod([
      status('a', { waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:30Z' } }, 3),
    ]);
    expect(podStatusColumns(pod, now)).toEqual({ ready: '0/1', reason: 'CrashLoopBackOff', restarts: '3 (30s ago)' });
  });
  it('counts ready running containers', () => {
    const pod = basePod([status('a', { running: { startedAt: '' } }), status('b', { running: { startedAt: '' } })]);
    expect(podStatusColumns(pod, now)).toEqual({ ready: '2/2', reason: 'Running', restarts: '0' });
  });
  it('says Terminating once deletion started', () => {
    const pod = basePod([status('a', { running: { startedAt: '' } })], { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(podStatusColumns(pod, now).reason).toBe('Terminating');
  });
});

describe('toTable', () => {
  it('emits column definitions, cells and partial object metadata', () => {
    const pod = basePod([status('a', { running: { startedAt: '' } })]);
    const table = toTable('pods', [pod], '7', 'Metadata');
    expect(table.columnDefinitions.map(c => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['p', '1/1', 'Running', '0']);
    expect(table.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    expect(toTable('pods', [pod], '7', 'None').rows[0].object).toBeUndefined();
  });
});

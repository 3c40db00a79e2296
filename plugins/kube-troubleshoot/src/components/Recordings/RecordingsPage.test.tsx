import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { RecordingSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { kubeTroubleshootApiRef } from '../../api';
import { outcome } from './RecordingsList';
import { RecordingsPage, userFilterRef } from './RecordingsPage';

const recording = (i: number, more: Partial<RecordingSummary> = {}): RecordingSummary => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  kind: 'terminal',
  user: 'user:default/alice',
  entityRef: 'component:default/payments-api',
  cluster: 'sandbox',
  namespace: 'default',
  pod: `payments-api-${i}`,
  container: 'api',
  command: 'bash or sh',
  production: false,
  startedAt: new Date(Date.UTC(2026, 11, 1, 10, i)).toISOString(),
  endedAt: new Date(Date.UTC(2026, 11, 1, 10, i, 30)).toISOString(),
  bytesIn: 1,
  bytesOut: 2,
  endReason: 'exit',
  exitCode: 0,
  ...more,
});

describe('recordings page', () => {
  it('reads a user name, a namespaced name or a ref as the user filter', () => {
    expect(userFilterRef('')).toBeUndefined();
    expect(userFilterRef(' alice ')).toBe('user:default/alice');
    expect(userFilterRef('Alice')).toBe('user:default/alice');
    expect(userFilterRef('ops/alice')).toBe('user:ops/alice');
    expect(userFilterRef('user:default/alice')).toBe('user:default/alice');
    expect(userFilterRef('user:alice')).toBe('user:default/alice');
  });

  it('says how each session ended in plain words', () => {
    expect(outcome({ endReason: 'exit', exitCode: 3, endedAt: 'x' })).toBe('exited (code 3)');
    expect(outcome({ endReason: 'idle', endedAt: 'x' })).toBe('closed for inactivity');
    expect(outcome({ endReason: 'terminated', endedAt: 'x' })).toBe('ended by a platform admin');
    expect(outcome({ endReason: 'disconnected', endedAt: 'x' })).toBe('the connection dropped and did not come back');
    expect(outcome({})).toBe('still open');
  });

  it('lists 20 rows a page, says whose sessions they are, filters by a user name, and shows who watched', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.recordings = { scope: 'own', items: Array.from({ length: 25 }, (_, i) => recording(i, i === 0 ? { watchers: ['user:default/admin'], endReason: 'terminated', exitCode: undefined } : {})) };
    await renderInTestApp(
      <TestApiProvider apis={[[kubeTroubleshootApiRef, api]]}>
        <RecordingsPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('Recorded sessions (your sessions)')).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Replay the session of/ })).toHaveLength(20);
    expect(screen.getByText('ended by a platform admin')).toBeInTheDocument();
    expect(screen.getByText('admin')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('User'), { target: { value: 'bob' } });
    expect(screen.getByText('sessions of user:default/bob')).toBeInTheDocument();
    await waitFor(() => expect(api.listRecordings).toHaveBeenLastCalledWith(expect.objectContaining({ user: 'user:default/bob' })));
  });
});

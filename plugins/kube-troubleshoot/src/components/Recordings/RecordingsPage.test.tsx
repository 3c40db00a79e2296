import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { RecordingSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { kubeTroubleshootApiRef } from '../../api';
import { outcome } from './RecordingsList';
import { RecordingsPage, entityFilterRef, userFilterRef } from './RecordingsPage';
import { commandOutcome, currentCommand } from './CommandList';

jest.mock('../TerminalTab/TerminalView', () => ({
  TerminalView: (props: { label: string }) => <div data-testid="terminal">{props.label}</div>,
}));

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

  it('reads a component name or a ref as the entity filter', () => {
    expect(entityFilterRef(' ')).toBeUndefined();
    expect(entityFilterRef('Payments-API')).toBe('component:default/payments-api');
    expect(entityFilterRef('shop/web')).toBe('component:shop/web');
    expect(entityFilterRef('system:default/pay')).toBe('system:default/pay');
    expect(entityFilterRef('api:pay')).toBe('api:default/pay');
  });

  it('follows the replay through the command index', () => {
    const commands = [
      { at: 1, command: 'ls', exitCode: 0, source: 'shell' as const },
      { at: 5, command: 'rm -rf /x', exitCode: 1, source: 'shell' as const },
      { at: 9, command: 'exit', source: 'input' as const },
    ];
    expect([0.5, 1, 4.9, 5, 100].map(t => currentCommand(commands, t))).toEqual([-1, 0, 0, 1, 2]);
    expect(commands.map(commandOutcome)).toEqual(['ok', 'exit 1', 'typed']);
  });

  it('searches by command across recordings, and opens a match at its moment with the commands beside the replay', async () => {
    const api = new FakeKubeTroubleshootApi();
    const hit = recording(1, { production: true, cluster: 'prod-eu', matches: [{ at: 12.5, command: 'rm -rf /var/cache', exitCode: 1, source: 'shell' }] });
    api.recordings = { scope: 'all', items: [hit] };
    api.casts[hit.id] = '{"version":2,"width":80,"height":24}\n[0.5,"o","$ "]\n[12.5,"o","rm -rf /var/cache\\r\\n"]\n[20,"o","$ "]\n';
    api.commands[hit.id] = [
      { at: 3, command: 'ls /var/cache', exitCode: 0, source: 'shell' },
      { at: 12.5, command: 'rm -rf /var/cache', exitCode: 1, source: 'shell' },
    ];
    await renderInTestApp(
      <TestApiProvider apis={[[kubeTroubleshootApiRef, api]]}>
        <RecordingsPage />
      </TestApiProvider>,
    );
    fireEvent.change(await screen.findByLabelText('Command'), { target: { value: 'rm -rf' } });
    fireEvent.change(screen.getByLabelText('Entity'), { target: { value: 'payments-api' } });
    await waitFor(() =>
      expect(api.listRecordings).toHaveBeenLastCalledWith(expect.objectContaining({ command: 'rm -rf', entityRef: 'component:default/payments-api' })),
    );
    expect(await screen.findByText('Matching commands')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /^Replay payments-api-1\/api from 0:12: rm -rf \/var\/cache$/ }));
    // Opened paused at the match, its command marked in the list beside the replay.
    const list = await screen.findByRole('navigation', { name: 'Commands run in the session' });
    expect(list).toHaveTextContent('Commands (2)');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Jump to 0:12: rm -rf /var/cache' })).toHaveAttribute('aria-current', 'step'));
    expect(screen.getByTestId('replay-clock')).toHaveTextContent('0:12 / 0:20');
    expect(screen.getByRole('button', { name: 'Play' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Jump to 0:03: ls /var/cache' }));
    expect(screen.getByTestId('replay-clock')).toHaveTextContent('0:03 / 0:20');
    expect(screen.getByRole('button', { name: 'Jump to 0:03: ls /var/cache' })).toHaveAttribute('aria-current', 'step');
  });
});

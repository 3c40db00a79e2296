import { fireEvent, screen, waitFor } from '@testing-library/react';
import { FakeKubeTroubleshootApi, pod } from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { DebugTab, shellWord, timeLeft } from './DebugTab';

jest.mock('../TerminalTab/TerminalView', () => ({
  TerminalView: (props: { label: string }) => <div data-testid="terminal">{props.label}</div>,
}));

class QuietSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  constructor(readonly url: string) {}
  send() {}
  close() {
    this.readyState = 3;
  }
}

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = QuietSocket;
});

function apiWith(crashing = false) {
  const api = new FakeKubeTroubleshootApi();
  const p = pod('payments-api-1', ['api', 'ledger']);
  if (crashing) p.containers[0] = { ...p.containers[0], state: 'waiting', reason: 'CrashLoopBackOff', ready: false, restartCount: 4 };
  api.pods = async () => ({ pods: [p], clusterErrors: [] });
  return api;
}

describe('DebugTab', () => {
  it('starts a tool container with the default image and the first offered profile', async () => {
    const api = apiWith();
    await renderTab(<DebugTab />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    await waitFor(() =>
      expect(api.debugRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', targetContainer: 'api', image: 'debug-tools', profile: 'general' }]),
    );
    expect(await screen.findByText(/Added debugger-bcdfg \(sandbox\.local\/debug-tools:1, profile general\)/)).toBeInTheDocument();
    expect(screen.getByText(/Ephemeral containers cannot be removed from a pod/)).toBeInTheDocument();
  });

  it('offers a copy of a crash-looping container, and lists and deletes the copies', async () => {
    const api = apiWith(true);
    await renderTab(<DebugTab />, api);
    expect(await screen.findByText(/api in payments-api-1 is crash-looping \(CrashLoopBackOff\)/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start' })).toBeDisabled();
    fireEvent.click(screen.getAllByRole('button', { name: 'Debug a copy' })[0]);
    await waitFor(() => expect(api.forkRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'api', namespace: 'default' }]));
    expect(await screen.findByText('payments-api-1-debug-abcde')).toBeInTheDocument();
    expect(screen.getByText(/Its command was: sh -c 'exit 1'\. Run it by hand/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Delete the copy payments-api-1-debug-abcde' }));
    await waitFor(() => expect(api.forks).toEqual([]));
  });

  it('downloads a file of the picked container', async () => {
    const api = apiWith();
    await renderTab(<DebugTab />, api);
    fireEvent.change(await screen.findByLabelText('A file or folder of api'), { target: { value: '/app/config.yaml' } });
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(api.fileDownloads).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'api', path: '/app/config.yaml' }]));
  });

  it('shows only the denial without the permission', async () => {
    const api = apiWith();
    await renderTab(<DebugTab />, api, { allow: false });
    expect(await screen.findByText(/You cannot see the debug tools of payments-api/)).toBeInTheDocument();
    expect(api.getDebugOptions).not.toHaveBeenCalled();
  });

  it('quotes words as a shell reads them back', () => {
    expect(['sh', '-c', "echo 'hi'; exit 1"].map(shellWord).join(' ')).toBe(`sh -c 'echo '\\''hi'\\''; exit 1'`);
  });

  it('says how long a copy has left', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeLeft('2026-01-01T01:30:00Z', now)).toBe('1 h 30 min');
    expect(timeLeft('2026-01-01T00:02:05Z', now)).toBe('2 min 5 s');
    expect(timeLeft('2025-12-31T23:59:00Z', now)).toBe('expired (being removed)');
  });
});

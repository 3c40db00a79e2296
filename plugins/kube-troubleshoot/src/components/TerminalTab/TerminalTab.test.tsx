import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeKubeTroubleshootApi, pod } from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { KubeTroubleshootApiError } from '../../api';
import { TerminalTab } from './TerminalTab';

// xterm needs a real browser (Chromium e2e covers it); here the view only records its binding.
jest.mock('./TerminalView', () => ({
  TerminalView: (props: { label: string }) => <div data-testid="terminal">{props.label}</div>,
}));

class QuietSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  onclose?: (e: { code: number }) => void;
  constructor(readonly url: string) {}
  send() {}
  close() {
    this.readyState = 3;
  }
}

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = QuietSocket;
});

function apiWithPods() {
  const api = new FakeKubeTroubleshootApi();
  const crashing = pod('payments-api-2', ['api']);
  crashing.containers[0] = { ...crashing.containers[0], state: 'waiting', reason: 'CrashLoopBackOff', ready: false };
  api.pods = async () => ({ pods: [pod('payments-api-1', ['api', 'metrics-agent']), crashing], clusterErrors: [] });
  return api;
}

describe('TerminalTab', () => {
  it('opens terminals on the picked container, several side by side', async () => {
    const api = apiWithPods();
    await renderTab(<TerminalTab />, api);
    await screen.findByRole('button', { name: /open terminal/i });
    fireEvent.click(screen.getByRole('button', { name: /open terminal/i }));
    await waitFor(() => expect(api.sessionRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'api', namespace: 'default' }]));
    expect(screen.getByText('Terminal of payments-api-1/api')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /open terminal/i }));
    await waitFor(() => expect(api.sessionRequests).toHaveLength(2));
    expect(screen.getAllByRole('tab')).toHaveLength(2);
    fireEvent.click(within(screen.getAllByRole('tab')[0]).getByRole('button', { name: /close the terminal/i }));
    expect(screen.getAllByRole('tab')).toHaveLength(1);
  });

  it('opens the linked pod and container at once (deep link)', async () => {
    const api = apiWithPods();
    await renderTab(<TerminalTab />, api, { url: '/?pod=payments-api-1&container=metrics-agent' });
    await waitFor(() => expect(api.sessionRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'metrics-agent', namespace: 'default' }]));
  });

  it('says why a container cannot get a shell and points to the Debug tab', async () => {
    const api = apiWithPods();
    await renderTab(<TerminalTab />, api, { url: '/?pod=payments-api-2&container=api' });
    expect(await screen.findByText(/api is CrashLoopBackOff: a shell needs a running container \(the Debug tab can inspect it\)/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /open terminal/i })).toBeDisabled();
    expect(api.sessionRequests).toEqual([]);
  });

  it('shows who to ask when the backend refuses the session', async () => {
    const api = apiWithPods();
    api.session = async () => {
      throw new KubeTroubleshootApiError('you do not have kube-troubleshoot.terminal.create on component:default/payments-api; it is owned by team-payments', 403);
    };
    await renderTab(<TerminalTab />, api, { url: '/?pod=payments-api-1&container=api' });
    expect(await screen.findByText(/You cannot see the terminal of payments-api/)).toBeInTheDocument();
    expect(screen.getByText(/The server said: you do not have kube-troubleshoot.terminal.create/)).toBeInTheDocument();
  });

  it('shows nothing but the denial without the permission', async () => {
    const api = apiWithPods();
    await renderTab(<TerminalTab />, api, { allow: false });
    expect(await screen.findByText(/You cannot see the terminal of payments-api/)).toBeInTheDocument();
    expect(api.getPods).not.toHaveBeenCalled();
  });
});

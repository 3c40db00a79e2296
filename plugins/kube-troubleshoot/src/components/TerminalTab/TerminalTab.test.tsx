import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeKubeTroubleshootApi, pod } from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { KubeTroubleshootApiError } from '../../api';
import { TerminalTab } from './TerminalTab';
import { liveTerminals } from './liveTerminals';
import { installQuietSockets } from '../../__testUtils__/sockets';

// xterm needs a real browser (Chromium e2e covers it); here the view only records its binding.
jest.mock('./TerminalView', () => ({
  TerminalView: (props: { label: string }) => <div data-testid="terminal">{props.label}</div>,
}));

installQuietSockets();

afterEach(() => {
  for (const t of liveTerminals.list()) liveTerminals.close(t.key);
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

  it('asks before a link to a container opens a new recorded shell (a reload does not start one)', async () => {
    const api = apiWithPods();
    await renderTab(<TerminalTab />, api, { url: '/?pod=payments-api-1&container=metrics-agent' });
    const ask = await screen.findByText(/This link is to payments-api-1\/metrics-agent\. Open a new shell there\?/);
    expect(api.sessionRequests).toEqual([]);
    fireEvent.click(within(ask.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: /open terminal/i }));
    await waitFor(() => expect(api.sessionRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'metrics-agent', namespace: 'default' }]));
    expect(screen.queryByText(/This link is to/)).not.toBeInTheDocument();
  });

  it('keeps a terminal running when the tab is left, and shows it again on return', async () => {
    const api = apiWithPods();
    const first = await renderTab(<TerminalTab />, api);
    fireEvent.click(await screen.findByRole('button', { name: /open terminal/i }));
    await waitFor(() => expect(api.sessionRequests).toHaveLength(1));
    first.unmount();
    expect(liveTerminals.list().map(t => t.label)).toEqual(['payments-api-1/api']);
    expect(liveTerminals.list()[0].alive).toBe(true);
    await renderTab(<TerminalTab />, api);
    expect(await screen.findByText('Terminal of payments-api-1/api')).toBeInTheDocument();
    expect(api.sessionRequests).toHaveLength(1);
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
    fireEvent.click((await screen.findAllByRole('button', { name: /open terminal/i }))[0]);
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

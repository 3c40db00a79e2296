import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { FakeKubeTroubleshootApi, pod } from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { DebugTab, defaultPod, progressText, shellWord, timeLeft } from './DebugTab';
import { installQuietSockets, QuietSocket } from '../../__testUtils__/sockets';

jest.mock('../TerminalTab/TerminalView', () => ({
  TerminalView: (props: { label: string }) => <div data-testid="terminal">{props.label}</div>,
}));

installQuietSockets();

function apiWith(crashing = false, containers = ['api', 'ledger']) {
  const api = new FakeKubeTroubleshootApi();
  const p = pod('payments-api-1', containers);
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

  it('describes the image in a sentence only when its config has a description', async () => {
    const api = apiWith();
    await renderTab(<DebugTab />, api);
    expect(await screen.findByText(/^ps, top, curl\. Profile general: /)).toBeInTheDocument();
    cleanup();
    const bare = apiWith();
    bare.debugOptions = { ...bare.debugOptions, images: [{ name: 'debug-tools', image: 'sandbox.local/debug-tools:1', description: '', default: true }] }; // config without one
    await renderTab(<DebugTab />, bare);
    expect(await screen.findByText(/^Profile general: /)).toBeInTheDocument();
  });

  it('offers a copy of a crash-looping container, and lists and deletes the copies', async () => {
    const api = apiWith(true, ['api']);
    await renderTab(<DebugTab />, api);
    expect(await screen.findByText(/api in payments-api-1 is crash-looping \(CrashLoopBackOff\)/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start' })).toBeDisabled();
    expect(screen.getByText(/Start needs api running; it is CrashLoopBackOff\. .*use "Debug a copy"/)).toBeInTheDocument();
    fireEvent.click(screen.getAllByRole('button', { name: 'Debug a copy' })[0]);
    await waitFor(() => expect(api.forkRequests).toEqual([{ cluster: 'sandbox', pod: 'payments-api-1', container: 'api', namespace: 'default' }]));
    expect(await screen.findByText('payments-api-1-debug-abcde')).toBeInTheDocument();
    expect(screen.getByText(/Run its command by hand to see it fail/)).toBeInTheDocument();
    expect(screen.getByText("sh -c 'exit 1'")).toBeInTheDocument();
    const writeText = jest.fn(async () => undefined);
    Object.assign(navigator, { clipboard: { writeText } });
    fireEvent.click(screen.getByRole('button', { name: 'Copy the command' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("sh -c 'exit 1'"));
    expect(await screen.findByRole('button', { name: 'Copy the command' })).toHaveTextContent('Copied');
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

  it('opens a second session beside the first when Start is pressed again, each closable', async () => {
    const api = apiWith();
    await renderTab(<DebugTab />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    await waitFor(() => expect(screen.getAllByTestId('terminal')).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(screen.getAllByTestId('terminal')).toHaveLength(2));
    // The second asks for a tool container of its own (the first terminal stays on its one).
    expect(api.debugRequests.map(r => r.reuse)).toEqual([undefined, false]);
    expect(screen.getAllByRole('region', { name: /^Debug session payments-api-1\/api \(debug container\)$/ })).toHaveLength(2);
    fireEvent.click(screen.getAllByRole('button', { name: 'Close payments-api-1/api (debug container)' })[0]);
    await waitFor(() => expect(screen.getAllByTestId('terminal')).toHaveLength(1));
  });

  it('ends its session when the page goes (a debug copy must not wait for a reattach)', async () => {
    const api = apiWith();
    const opened: QuietSocket[] = [];
    const close = jest.spyOn(QuietSocket.prototype, 'close');
    const Original = globalThis.WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends QuietSocket {
      constructor(url: string) {
        super(url);
        opened.push(this);
      }
    };
    try {
      await renderTab(<DebugTab />, api);
      fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
      await waitFor(() => expect(opened).toHaveLength(1));
      expect(close).not.toHaveBeenCalled();
      window.dispatchEvent(new Event('pagehide'));
      // 1000, not the browser's "going away" (1001), which the backend keeps for a reattach.
      expect(close).toHaveBeenCalledWith(1000);
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = Original;
      close.mockRestore();
    }
  });

  it('shows why a copy could not start instead of an empty terminal', async () => {
    const api = apiWith(true);
    api.createFork.mockRejectedValueOnce(new Error('the copy payments-api-1-debug-abcde did not start (ImagePullBackOff); it was deleted'));
    await renderTab(<DebugTab />, api);
    fireEvent.click((await screen.findAllByRole('button', { name: 'Debug a copy' }))[0]);
    expect(await screen.findByText(/Could not start copy of payments-api-1\/api: the copy payments-api-1-debug-abcde did not start \(ImagePullBackOff\)/)).toBeInTheDocument();
    expect(screen.queryByTestId('terminal')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('opens on a pod that can be debugged, not on one that does not run', async () => {
    const pending = pod('payments-api-0', ['api'], { phase: 'Pending', status: 'Pending' });
    pending.containers[0] = { ...pending.containers[0], state: 'waiting', reason: 'ContainerCreating', ready: false };
    const running = pod('payments-api-1', ['api']);
    expect(defaultPod([pending, running], null).name).toBe('payments-api-1');
    expect(defaultPod([pending, running], 'payments-api-0').name).toBe('payments-api-0');
    // The one in most trouble first: a crash loop, then one running but not ready, then a healthy one.
    const crashing = pod('search-indexer-1', ['indexer']);
    crashing.containers[0] = { ...crashing.containers[0], state: 'waiting', reason: 'CrashLoopBackOff', ready: false, restartCount: 3 };
    const unready = pod('search-api', ['api']);
    unready.containers[0] = { ...unready.containers[0], ready: false };
    expect(defaultPod([running, unready, crashing], null).name).toBe('search-indexer-1');
    expect(defaultPod([running, unready], null).name).toBe('search-api');
    const api = apiWith();
    api.pods = async () => ({ pods: [pending, running], clusterErrors: [] });
    await renderTab(<DebugTab />, api);
    expect(await screen.findByRole('button', { name: 'Start' })).toBeEnabled();
  });

  it('says why a download failed, with the limit the server named', async () => {
    const api = apiWith();
    api.downloadFile.mockRejectedValueOnce(new Error('/data in container api of pod payments-api-1 is about 125.0 MB: more than kubeTroubleshoot.debug.fileMaxBytes (104.9 MB)'));
    await renderTab(<DebugTab />, api);
    fireEvent.change(await screen.findByLabelText('A file or folder of api'), { target: { value: '/data' } });
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not download /data: /data in container api of pod payments-api-1 is about 125.0 MB: more than kubeTroubleshoot.debug.fileMaxBytes (104.9 MB)');
  });

  it('tells how far a download got', () => {
    expect(progressText({ received: 12_300_000, estimated: 41_000_000 })).toBe('30% (12.3 MB of about 41.0 MB)');
    expect(progressText({ received: 50_000_000, estimated: 41_000_000 })).toBe('99% (50.0 MB of about 41.0 MB)');
    expect(progressText({ received: 1_000_000 })).toBe('1.0 MB received');
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

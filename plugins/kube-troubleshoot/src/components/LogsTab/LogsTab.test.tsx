import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import { KubeTroubleshootApiError } from '../../api';
import {
  FakeKubeTroubleshootApi,
  line,
  pod,
} from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { LogsTab } from './LogsTab';

const podA = 'payments-api-7c9d-a1';
const podB = 'payments-api-7c9d-b2';

function render(
  api: FakeKubeTroubleshootApi,
  options: { allow?: boolean; entity?: Entity; url?: string } = {},
) {
  return renderTab(<LogsTab />, api, options);
}

function twoPods(api: FakeKubeTroubleshootApi) {
  api.pods = async () => ({
    pods: [
      pod(podA, ['api', 'metrics-agent']),
      {
        ...pod(podB, ['api', 'metrics-agent'], { restarts: 3, status: 'Running' }),
        containers: pod(podB, ['api', 'metrics-agent']).containers.map(c => (c.name === 'api' ? { ...c, restartCount: 3 } : c)),
      },
    ],
    clusterErrors: [],
  });
}

/** Lines reach React in batches every 100 ms. */
async function flushed() {
  await act(async () => {
    await new Promise(r => setTimeout(r, 150));
  });
}

const shownLines = () =>
  screen.queryAllByTestId('log-line').map(l => l.textContent);

describe('LogsTab', () => {
  it('shows progress while the pods load', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.pods = () => new Promise(() => undefined);
    await render(api);
    await waitFor(() => expect(api.getPods).toHaveBeenCalledTimes(1));
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    expect(screen.queryByRole('log')).not.toBeInTheDocument();
  });

  it('explains an entity without pods, naming the annotation and the label selector', async () => {
    const api = new FakeKubeTroubleshootApi();
    await render(api);
    expect(
      await screen.findByText('No pods found for payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('backstage.io/kubernetes-id: payments-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('backstage.io/kubernetes-id=payments-api'),
    ).toBeInTheDocument();
    expect(screen.getByText('default')).toBeInTheDocument();
    expect(api.streamLogs).not.toHaveBeenCalled();
  });

  it('tells a user without the permission who owns the entity, and fetches nothing', async () => {
    const api = new FakeKubeTroubleshootApi();
    await render(api, { allow: false });
    expect(
      await screen.findByText(/You cannot see the logs of payments-api/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /payments-api is owned by team-payments; ask them for access\./,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('kube-troubleshoot.logs.read')).toBeInTheDocument();
    expect(api.getPods).not.toHaveBeenCalled();
    expect(api.streamLogs).not.toHaveBeenCalled();
  });

  it("shows the backend's error message", async () => {
    const api = new FakeKubeTroubleshootApi();
    api.pods = () =>
      Promise.reject(
        new KubeTroubleshootApiError(
          'no entity component:default/payments-api in the catalog',
          404,
        ),
      );
    await render(api);
    expect(
      await screen.findByText(
        /no entity component:default\/payments-api in the catalog \(HTTP 404\)/,
      ),
    ).toBeInTheDocument();
  });

  it('lists the cluster errors when no cluster answered', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.pods = async () => ({
      pods: [],
      clusterErrors: [
        {
          cluster: 'sandbox',
          message:
            'cluster sandbox is unreachable: connect ECONNREFUSED 127.0.0.1:6443',
        },
      ],
    });
    await render(api);
    expect(
      await screen.findByText(/Could not list the pods of payments-api/),
    ).toBeInTheDocument();
    expect(screen.getByText(/connect ECONNREFUSED/)).toBeInTheDocument();
    expect(
      screen.queryByText('No pods found for payments-api'),
    ).not.toBeInTheDocument();
  });

  it('shows the denial when the backend refuses the stream', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    api.logsError = new KubeTroubleshootApiError(
      'you do not have kube-troubleshoot.logs.read on component:default/payments-api; it is owned by group:default/team-payments',
      403,
    );
    await render(api);
    expect(
      await screen.findByText(/You cannot see the logs of payments-api/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /The server said: you do not have kube-troubleshoot\.logs\.read/,
      ),
    ).toBeInTheDocument();
  });

  it('streams all pods by default, tagging each line with its pod and container', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    expect(api.lastLogStream.query).toEqual(
      expect.objectContaining({
        follow: true,
        previous: false,
        tailLines: 1000,
        pod: undefined,
        container: undefined,
      }),
    );
    act(() => {
      api.lastLogStream.send(
        line(podA, 'api', '\x1b[32mINFO\x1b[0m GET /v1/payments 200'),
        line(podB, 'metrics-agent', 'scraped 42 series'),
      );
    });
    await flushed();
    expect(shownLines()).toEqual([
      `[${podA}/api] INFO GET /v1/payments 200`,
      `[${podB}/metrics-agent] scraped 42 series`,
    ]);
    // ANSI colour, and a different colour per pod
    const info = screen.getByText('INFO');
    expect(info).toHaveStyle({ color: '#0dbc79' });
    const tagA = screen.getByText(`[${podA}/api]`, { exact: false });
    const tagB = screen.getByText(`[${podB}/metrics-agent]`, { exact: false });
    expect(tagA.style.color).not.toBe(tagB.style.color);
    expect(screen.getByText(/Following live · 2 lines/)).toBeInTheDocument();
  });

  it('counts lines per severity and filters by it, the choice in the link; search stays among the lines shown', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: '/?severity=warn' });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => {
      api.lastLogStream.send(
        line(podA, 'api', '\x1b[32mINFO\x1b[0m GET /v1/payments 200'),
        line(podA, 'api', '{"level":"info","msg":"payment settled"}'),
        line(podA, 'api', '\x1b[33mWARN\x1b[0m slow upstream ledger: 300ms'),
        line(podA, 'api', 'level=error msg="ledger down"'),
        line(podB, 'metrics-agent', 'scraped 42 series'),
        { type: 'notice', message: 'reconnected', pod: podA, container: 'api' },
      );
    });
    await flushed();
    const group = screen.getByRole('group', { name: 'Severity' });
    const level = (name: RegExp) => within(group).getByRole('button', { name });
    expect(level(/^Error 1$/)).toHaveAttribute('aria-pressed', 'false');
    expect(level(/^Warn 1$/)).toHaveAttribute('aria-pressed', 'true');
    expect(level(/^Info 2$/)).toBeInTheDocument();
    expect(level(/^No level 1$/)).toBeInTheDocument();
    // From the link: only the WARN line (and the stream's notice).
    expect(shownLines().map(l => l?.replace(/^\[[^\]]+\] /, ''))).toEqual(['WARN slow upstream ledger: 300ms', '— reconnected —']);
    fireEvent.click(level(/^Error 1$/));
    expect(shownLines()).toHaveLength(3);
    const search = screen.getByRole('textbox', { name: 'Search the log' });
    fireEvent.change(search, { target: { value: 'ledger' } });
    await waitFor(() => expect(screen.getByText(/2 matches in 2 lines/)).toBeInTheDocument());
    fireEvent.change(search, { target: { value: 'payment' } });
    // "payment" is only on info lines, which are not shown.
    await waitFor(() => expect(screen.getByText(/0 matches in 0 lines|2 matches in 0 lines/)).toBeInTheDocument());
    fireEvent.click(within(group).getByRole('button', { name: 'All levels' }));
    expect(shownLines()).toHaveLength(6);
  });

  it('appends lines as they arrive while following', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => api.lastLogStream.send(line(podA, 'api', 'first')));
    await flushed();
    act(() =>
      api.lastLogStream.send(
        line(podA, 'api', 'second'),
        line(podA, 'api', 'third'),
      ),
    );
    await flushed();
    expect(shownLines().map(l => l?.replace(/^\[[^\]]+\] /, ''))).toEqual([
      'first',
      'second',
      'third',
    ]);
  });

  it('holds new lines while paused and counts them, then shows them on resume', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => api.lastLogStream.send(line(podA, 'api', 'before pause')));
    await flushed();
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() =>
      api.lastLogStream.send(
        line(podA, 'api', 'p1'),
        line(podA, 'api', 'p2'),
        line(podA, 'api', 'p3'),
      ),
    );
    await flushed();
    expect(
      screen.getByRole('button', { name: '3 new lines — resume' }),
    ).toBeInTheDocument();
    expect(shownLines()).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(shownLines()).toHaveLength(4);
    expect(screen.queryByText(/new lines — resume/)).not.toBeInTheDocument();
  });

  it('counts lines arriving while the user has scrolled up', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() =>
      api.lastLogStream.send(
        ...Array.from({ length: 100 }, (_, i) => line(podA, 'api', `l${i}`)),
      ),
    );
    await flushed();
    const log = screen.getByRole('log');
    Object.defineProperty(log, 'scrollHeight', {
      configurable: true,
      value: 2000,
    });
    log.scrollTop = 100;
    fireEvent.scroll(log);
    act(() =>
      api.lastLogStream.send(line(podA, 'api', 'n1'), line(podA, 'api', 'n2')),
    );
    await flushed();
    expect(
      screen.getByRole('button', { name: '2 new lines' }),
    ).toBeInTheDocument();
  });

  it('highlights search matches and counts them, with regular expressions too', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    const { container } = await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() =>
      api.lastLogStream.send(
        line(podA, 'api', 'payment settled pay_00001'),
        line(podA, 'api', 'GET /v1/payments 200'),
        line(podA, 'api', 'slow upstream ledger'),
      ),
    );
    await flushed();
    fireEvent.change(screen.getByLabelText('Search the log'), {
      target: { value: 'PAY' },
    });
    expect(await screen.findByText('3 matches in 2 lines')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(screen.getByText('3 matches · line 2 of 2')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByText('3 matches · line 1 of 2')).toBeInTheDocument();
    expect(
      [...container.querySelectorAll('mark')].map(m => m.textContent),
    ).toEqual(['pay', 'pay', 'pay']);

    fireEvent.click(screen.getByRole('button', { name: 'Regular expression' }));
    fireEvent.change(screen.getByLabelText('Search the log'), {
      target: { value: 'pay_\\d+' },
    });
    expect(await screen.findByText(/^1 match/)).toBeInTheDocument();
    expect(
      [...container.querySelectorAll('mark')].map(m => m.textContent),
    ).toEqual(['pay_00001']);

    fireEvent.click(screen.getByLabelText('Only matching lines'));
    expect(shownLines()).toHaveLength(1);

    fireEvent.change(screen.getByLabelText('Search the log'), {
      target: { value: '(' },
    });
    expect(
      await screen.findByText(/Invalid regular expression/),
    ).toBeInTheDocument();
  });

  it('reads the pod and container from the link and writes the pickers back', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podB}&container=api` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    expect(api.lastLogStream.query).toEqual(
      expect.objectContaining({
        pod: podB,
        container: 'api',
        cluster: 'sandbox',
      }),
    );
    expect(screen.getByLabelText('Pod')).toHaveValue(`sandbox/${podB}`);
    // one pod and container: previous is possible, and turning it on stops following
    const previous = screen.getByRole('checkbox', {
      name: 'Previous container',
    });
    expect(previous).toBeEnabled();
    fireEvent.click(previous);
    await waitFor(() =>
      expect(api.lastLogStream.query).toEqual(
        expect.objectContaining({ previous: true, follow: false }),
      ),
    );

    // A container that never restarted has no previous run: the switch says so.
    fireEvent.change(screen.getByLabelText('Pod'), { target: { value: `sandbox/${podA}` } });
    await waitFor(() => expect(screen.getByText('no previous run: api has not restarted')).toBeInTheDocument());
    expect(screen.getByRole('checkbox', { name: 'Previous container' })).toBeDisabled();

    fireEvent.change(screen.getByLabelText('Pod'), { target: { value: '' } });
    await waitFor(() =>
      expect(api.lastLogStream.query).toEqual(
        expect.objectContaining({ pod: undefined, container: 'api' }),
      ),
    );
    expect(
      screen.getByRole('checkbox', { name: 'Previous container' }),
    ).toBeDisabled();
    expect(api.logStreams.slice(0, -1).every(s => s.aborted)).toBe(true);
  });

  it('restores the view from the link: tail, since, follow, search and its toggles', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podB}&container=api&tail=100&since=300&follow=0&q=ledger&only=1&case=1&timestamps=1` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    expect(api.lastLogStream.query).toEqual(expect.objectContaining({ tailLines: 100, sinceSeconds: 300, follow: false, pod: podB, container: 'api' }));
    expect(screen.getByLabelText('Search the log')).toHaveValue('ledger');
    expect(screen.getByRole('button', { name: 'Only matching lines' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'Match case' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('checkbox', { name: 'Timestamps' })).toBeChecked();
    expect(screen.getByLabelText('Tail')).toHaveValue('100');
    act(() => api.lastLogStream.send(line(podB, 'api', 'WARN slow upstream ledger: 300ms'), line(podB, 'api', 'unrelated')));
    await flushed();
    expect(shownLines()).toHaveLength(1);
  });

  it('shows timestamps in UTC or local time and changes the text size, both kept in the link', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podA}&container=api&timestamps=1&font=16` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => api.lastLogStream.send({ ...line(podA, 'api', 'hello'), timestamp: '2026-12-02T05:21:21.123456789Z' } as LogStreamMessage));
    await flushed();
    expect(shownLines()).toEqual(['2026-12-02T05:21:21.123Z hello']);
    expect(screen.getByRole('log', { name: 'Log lines' })).toHaveStyle({ fontSize: '16px', lineHeight: '27px' });
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'local' } });
    const d = new Date('2026-12-02T05:21:21.123Z');
    const local = `${d.getFullYear()}-12-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:21.123`;
    await waitFor(() => expect(shownLines()).toEqual([`${local} hello`]));
    fireEvent.click(screen.getByRole('button', { name: 'Larger text' }));
    await waitFor(() => expect(screen.getByRole('log', { name: 'Log lines' })).toHaveStyle({ fontSize: '18px' }));
    expect(screen.getByRole('button', { name: 'Larger text' })).toBeDisabled();
  });

  it('picks a line (in the link), a range with shift, copies it as shown; a linked line is picked again on load', async () => {
    const writeText = jest.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    const first = { ...line(podA, 'api', 'one'), timestamp: '2026-12-02T05:00:01.000000001Z' } as LogStreamMessage;
    const second = { ...line(podA, 'api', '\x1b[31mtwo\x1b[0m'), timestamp: '2026-12-02T05:00:02.000000002Z' } as LogStreamMessage;
    const third = { ...line(podA, 'api', 'three'), timestamp: '2026-12-02T05:00:03.000000003Z' } as LogStreamMessage;
    await render(api, { url: `/?pod=${podA}&container=api&line=${encodeURIComponent(`${podA}/api@2026-12-02T05:00:02.000000002Z`)}` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => api.lastLogStream.send(first, second, third));
    await flushed();
    const rows = () => screen.getAllByTestId('log-line');
    // The linked line is picked once it arrives.
    await waitFor(() => expect(rows()[1]).toHaveAttribute('aria-selected', 'true'));
    expect(rows()[0]).not.toHaveAttribute('aria-selected');
    fireEvent.click(rows()[0]);
    fireEvent.click(rows()[2], { shiftKey: true });
    expect(rows().map(r => r.getAttribute('aria-selected'))).toEqual(['true', 'true', 'true']);
    fireEvent.click(screen.getByRole('button', { name: 'Copy 3 selected' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('one\ntwo\nthree'));
    expect(await screen.findByText('Copied 3 lines')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(rows().some(r => r.getAttribute('aria-selected'))).toBe(false);
  });

  it('shows JSON lines indented or as columns of the chosen fields, the rest collapsed, the choice in the link', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podA}&container=api&json=columns` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() =>
      api.lastLogStream.send(
        line(podA, 'api', '{"level":"info","msg":"payment settled","id":"pay_1","amount_cents":113}'),
        line(podA, 'api', 'WARN not json'),
      ),
    );
    await flushed();
    // Default columns: level and message; the rest collapsed after them.
    expect(shownLines()).toEqual(['infopayment settledid=pay_1 amount_cents=113', 'WARN not json']);
    const picker = screen.getByRole('group', { name: 'JSON columns' });
    expect(within(picker).getByRole('button', { name: 'level' })).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(within(picker).getByRole('button', { name: 'id' }));
    await waitFor(() => expect(shownLines()[0]).toBe('infopayment settledpay_1amount_cents=113'));
    expect(document.querySelector('[data-column="id"]')?.textContent).toBe('pay_1');
    fireEvent.change(screen.getByLabelText('JSON lines'), { target: { value: 'pretty' } });
    await waitFor(() => expect(shownLines()[0]).toContain('"msg": "payment settled"'));
    expect(screen.queryByRole('group', { name: 'JSON columns' })).not.toBeInTheDocument();
  });

  it('reads a custom time range from the link, and does not follow a range with an end', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podA}&container=api&since=custom&from=2026-12-02T05:00:00.000Z&to=2026-12-02T06:00:00.000Z` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    expect(api.lastLogStream.query).toEqual(expect.objectContaining({ sinceTime: '2026-12-02T05:00:00.000Z', untilTime: '2026-12-02T06:00:00.000Z', follow: false, sinceSeconds: undefined }));
    expect(screen.getByLabelText('From')).toBeInTheDocument();
    expect(screen.getByText('a range with an end is not followed')).toBeInTheDocument();
  });

  it('says so when the linked pod is gone', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: '/?pod=payments-api-old-zz' });
    expect(
      await screen.findByText(
        /Pod payments-api-old-zz \(from the link\) is not one of this entity's pods now/,
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.lastLogStream.query).toEqual(
        expect.objectContaining({ pod: undefined }),
      ),
    );
  });

  it('lists containers of the chosen pod with state and restarts, and tail/since presets', async () => {
    const api = new FakeKubeTroubleshootApi();
    const crashing = pod('search-indexer-1', ['indexer'], {
      restarts: 5,
      status: 'CrashLoopBackOff',
    });
    crashing.containers[0] = {
      ...crashing.containers[0],
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      restartCount: 5,
    };
    api.pods = async () => ({ pods: [crashing], clusterErrors: [] });
    await render(api, { url: '/?pod=search-indexer-1' });
    const containerPicker = await screen.findByLabelText('Container');
    expect(
      within(containerPicker).getByText(
        'indexer · waiting: CrashLoopBackOff · 5 restarts',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByLabelText('Pod')).getByText(
        'search-indexer-1 · CrashLoopBackOff · 1/1 ready · 5 restarts',
      ),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Tail'), {
      target: { value: 'all' },
    });
    fireEvent.change(screen.getByLabelText('Since'), {
      target: { value: '300' },
    });
    await waitFor(() =>
      expect(api.lastLogStream.query).toEqual(
        expect.objectContaining({ tailLines: undefined, sinceSeconds: 300 }),
      ),
    );
  });

  it('shows timestamps on demand and downloads the full log of the selection', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api, { url: `/?pod=${podA}&container=api` });
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() => api.lastLogStream.send(line(podA, 'api', 'hello')));
    await flushed();
    expect(shownLines()).toEqual(['hello']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Timestamps' }));
    expect(shownLines()[0]).toMatch(/^2024-05-01T10:\d\d:\d\d\.000Z hello$/);
    expect(api.logStreams).toHaveLength(1); // no refetch: lines carry their timestamps

    fireEvent.click(screen.getByRole('button', { name: 'Download full log' }));
    await waitFor(() =>
      expect(api.downloads).toEqual([
        {
          cluster: 'sandbox',
          pod: podA,
          container: 'api',
          previous: false,
          timestamps: true,
        },
      ]),
    );
  });

  it('shows notices and per-container errors from the stream', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    act(() =>
      api.lastLogStream.send(
        {
          type: 'notice',
          message: 'reconnected after the upstream dropped',
          pod: podA,
          container: 'api',
        },
        {
          type: 'error',
          message:
            'container "api" in pod is waiting to start: CrashLoopBackOff',
          pod: podB,
          container: 'api',
        },
      ),
    );
    await flushed();
    expect(
      screen.getByText('— reconnected after the upstream dropped —'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        `${podB}/api: container "api" in pod is waiting to start: CrashLoopBackOff`,
      ),
    ).toBeInTheDocument();
    act(() => api.lastLogStream.end());
    expect(await screen.findByText(/Stream ended/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Restart stream' }));
    await waitFor(() => expect(api.logStreams).toHaveLength(2));
    expect(
      await screen.findByText(/^Connecting… · 0 lines$/),
    ).toBeInTheDocument();
  });

  it('stays responsive with 200,000 lines and keeps only the newest 200,000', async () => {
    const api = new FakeKubeTroubleshootApi();
    twoPods(api);
    await render(api);
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        line(
          i % 2 ? podA : podB,
          'api',
          `\x1b[33mWARN\x1b[0m request ${from + i} done`,
        ),
      );
    const lines = batch(0, 200_000);
    const started = performance.now();
    act(() => api.lastLogStream.sendAll(lines));
    await flushed();
    const rendered = performance.now() - started;
    expect(screen.getByText(/200,000 lines/)).toBeInTheDocument();
    // Only the rows in view (plus overscan) are in the DOM; jsdom cannot scroll, so they are the first.
    expect(shownLines().length).toBeLessThan(120);
    expect(shownLines()[0]).toMatch(/request 0 done$/);

    const searchStarted = performance.now();
    fireEvent.change(screen.getByLabelText('Search the log'), {
      target: { value: 'request 1999' },
    });
    expect(await screen.findByText(/111 matches/)).toBeInTheDocument();
    const searched = performance.now() - searchStarted;

    act(() => api.lastLogStream.sendAll(batch(200_000, 5_000)));
    await flushed();
    expect(
      screen.getByText(
        /200,000 lines \(the newest 200,000 are kept here; 5,000 older ones dropped/,
      ),
    ).toBeInTheDocument();
    // eslint-disable-next-line no-console
    console.log(
      `200,000 lines: first render ${rendered.toFixed(
        0,
      )} ms, search ${searched.toFixed(0)} ms (jsdom)`,
    );
    expect(rendered).toBeLessThan(5000);
  }, 30_000);
});

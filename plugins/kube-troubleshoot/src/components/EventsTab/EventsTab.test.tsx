import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import {
  KubeEvent,
  PodDiagnosis,
} from '@kube-troubleshoot/backstage-plugin-common';
import { KubeTroubleshootApiError } from '../../api';
import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { renderTab } from '../../__testUtils__/renderTab';
import { EventsTab } from './EventsTab';

const searchIndexer: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'search-indexer',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector':
        'app.kubernetes.io/name=search-indexer',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-search',
  },
};

const podName = 'search-indexer-5d8f-q7';
const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

function event(id: string, extra: Partial<KubeEvent> = {}): KubeEvent {
  return {
    id,
    cluster: 'sandbox',
    namespace: 'default',
    type: 'Normal',
    reason: 'Pulled',
    message:
      'Container image "sandbox.local/toolbox:1" already present on machine',
    count: 1,
    firstSeen: minutesAgo(10),
    lastSeen: minutesAgo(10),
    object: {
      kind: 'Pod',
      name: podName,
      fieldPath: 'spec.containers{indexer}',
    },
    ...extra,
  };
}

const backOff = event('e-backoff', {
  type: 'Warning',
  reason: 'BackOff',
  message:
    'Back-off restarting failed container indexer in pod search-indexer-5d8f-q7',
  count: 7,
  lastSeen: minutesAgo(1),
});

const crashLoop: PodDiagnosis = {
  cluster: 'sandbox',
  namespace: 'default',
  pod: podName,
  severity: 'error',
  container: 'indexer',
  verdict:
    'indexer crashes on start (exit code 1) and is restarting in a back-off loop (CrashLoopBackOff)',
  nextStep:
    'Read the last lines of the previous run below, fix the cause, and redeploy',
  details: [
    'Last lines of the previous run:',
    'ERROR: connection refused: opensearch:9200',
  ],
};

function render(
  api: FakeKubeTroubleshootApi,
  options: { allow?: boolean; entity?: Entity; url?: string } = {},
) {
  return renderTab(<EventsTab />, api, { entity: searchIndexer, ...options });
}

function withData(api: FakeKubeTroubleshootApi) {
  api.diagnosis = async () => ({ pods: [crashLoop], clusterErrors: [] });
}

async function snapshot(api: FakeKubeTroubleshootApi, events: KubeEvent[]) {
  await waitFor(() => expect(api.watchEvents).toHaveBeenCalled());
  act(() =>
    api.lastEventStream.send({ type: 'snapshot', events, clusterErrors: [] }),
  );
}

const tableRows = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map(r => r.textContent ?? '');

describe('EventsTab', () => {
  it('shows progress until the diagnosis and the first snapshot arrive', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.diagnosis = () => new Promise(() => undefined);
    await render(api);
    await waitFor(() => expect(api.watchEvents).toHaveBeenCalled());
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('explains an entity without pods, naming its label selector', async () => {
    const api = new FakeKubeTroubleshootApi();
    await render(api);
    await snapshot(api, []);
    expect(
      await screen.findByText('No pods found for search-indexer'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('app.kubernetes.io/name=search-indexer').length,
    ).toBeGreaterThan(0);
  });

  it('tells a user without the permission who owns the entity, and fetches nothing', async () => {
    const api = new FakeKubeTroubleshootApi();
    await render(api, { allow: false });
    expect(
      await screen.findByText(/You cannot see the events of search-indexer/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /search-indexer is owned by team-search; ask them for access\./,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('kube-troubleshoot.events.read'),
    ).toBeInTheDocument();
    expect(api.getDiagnosis).not.toHaveBeenCalled();
    expect(api.watchEvents).not.toHaveBeenCalled();
  });

  it("shows the backend's error when nothing can be read", async () => {
    const api = new FakeKubeTroubleshootApi();
    const error = new KubeTroubleshootApiError(
      'no entity component:default/search-indexer in the catalog',
      404,
    );
    api.diagnosis = () => Promise.reject(error);
    api.eventsError = error;
    await render(api);
    expect(
      await screen.findByText(/Could not read the events of search-indexer/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /no entity component:default\/search-indexer in the catalog \(HTTP 404\)/,
      ),
    ).toBeInTheDocument();
  });

  it('lists the cluster errors when no cluster answered', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.diagnosis = async () => ({
      pods: [],
      clusterErrors: [
        {
          cluster: 'sandbox',
          message:
            'the cluster answered 403: the service account cannot list pods',
          statusCode: 403,
        },
      ],
    });
    await render(api);
    await snapshot(api, []);
    expect(
      await screen.findByText(/Could not read the workload of search-indexer/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/the service account cannot list pods/),
    ).toBeInTheDocument();
  });

  it('shows the denial when the backend refuses', async () => {
    const api = new FakeKubeTroubleshootApi();
    const denied = new KubeTroubleshootApiError(
      'you do not have kube-troubleshoot.events.read on component:default/search-indexer',
      403,
    );
    api.diagnosis = () => Promise.reject(denied);
    api.eventsError = denied;
    await render(api);
    expect(
      await screen.findByText(
        /The server said: you do not have kube-troubleshoot\.events\.read/,
      ),
    ).toBeInTheDocument();
  });

  it('puts the diagnosis on top, then the events with relative times', async () => {
    const api = new FakeKubeTroubleshootApi();
    withData(api);
    await render(api);
    await snapshot(api, [event('e-pulled'), backOff]);
    const card = await screen.findByTestId(`diagnosis-${podName}`);
    expect(within(card).getByText(crashLoop.verdict)).toBeInTheDocument();
    expect(
      within(card).getByRole('img', { name: 'Failing' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/fix the cause, and redeploy/)).toBeInTheDocument();
    expect(
      screen.getByText(/ERROR: connection refused: opensearch:9200/),
    ).toBeInTheDocument();

    expect(screen.getByText('Events (2)')).toBeInTheDocument();
    const rows = tableRows();
    expect(rows[0]).toContain('BackOff');
    expect(rows[0]).toContain(`Pod/${podName}`);
    expect(rows[0]).toContain('spec.containers{indexer}');
    expect(rows[0]).toContain('7');
    expect(rows[0]).toContain('1m ago');
    expect(rows[1]).toContain('Pulled');
    expect(rows[1]).toContain('10m ago');
    expect(screen.getByText('Live')).toBeInTheDocument();
  });

  it('shows each container\'s CPU and memory against its limits beside the diagnosis, flagging one near its memory limit', async () => {
    const api = new FakeKubeTroubleshootApi();
    withData(api);
    const Mi = 2 ** 20;
    const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString();
    api.metrics = async () => ({
      windowSeconds: 900,
      intervalSeconds: 15,
      clusterErrors: [],
      pods: [
        {
          cluster: 'sandbox',
          namespace: 'default',
          pod: podName,
          containers: [
            {
              name: 'indexer',
              requests: { cpuCores: 0.05, memoryBytes: 32 * Mi },
              limits: { memoryBytes: 64 * Mi },
              usage: { at: at(30), cpuCores: 0.12, memoryBytes: 61 * Mi },
              history: [10, 30, 61].map((m, i) => ({ at: at(i * 15), cpuCores: 0.1, memoryBytes: m * Mi })),
              peakMemoryBytes: 61 * Mi,
              nearMemoryLimit: true,
            },
          ],
        },
      ],
    });
    await render(api);
    await snapshot(api, [backOff]);
    const usage = await screen.findByTestId(`usage-${podName}`);
    expect(within(usage).getByText('61 MiB of 64 MiB limit (95%)')).toBeInTheDocument();
    expect(within(usage).getByText('120m (request 50m, no limit)')).toBeInTheDocument();
    expect(within(usage).getByRole('img', { name: 'indexer memory over the last 15 minutes, against its 64 MiB limit' })).toBeInTheDocument();
    expect(within(usage).getByText('indexer is near its memory limit: it is OOM-killed at 64 MiB')).toBeInTheDocument();
    expect(api.getMetrics).toHaveBeenCalled();
  });

  it('says why CPU and memory are missing on a cluster without metrics', async () => {
    const api = new FakeKubeTroubleshootApi();
    withData(api);
    api.metrics = async () => ({ windowSeconds: 900, intervalSeconds: 15, pods: [], clusterErrors: [{ cluster: 'sandbox', message: 'the server could not find the requested resource', statusCode: 404 }] });
    await render(api);
    await snapshot(api, [backOff]);
    expect(await screen.findByText('CPU and memory unavailable on sandbox: the server could not find the requested resource')).toBeInTheDocument();
  });

  it('filters to warnings only', async () => {
    const api = new FakeKubeTroubleshootApi();
    withData(api);
    await render(api);
    await snapshot(api, [event('e-pulled'), backOff]);
    await screen.findByText('Events (2)');
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Warnings only (1)' }),
    );
    expect(screen.getByText('Warning events (1)')).toBeInTheDocument();
    expect(tableRows()).toHaveLength(1);
    expect(tableRows()[0]).toContain('BackOff');
  });

  it('applies live upserts and deletes, and a new snapshot replaces everything', async () => {
    const api = new FakeKubeTroubleshootApi();
    withData(api);
    await render(api);
    await snapshot(api, [event('e-pulled')]);
    await screen.findByText('Events (1)');
    act(() => api.lastEventStream.send({ type: 'upsert', event: backOff }));
    expect(await screen.findByText('Events (2)')).toBeInTheDocument();
    act(() =>
      api.lastEventStream.send({
        type: 'upsert',
        event: { ...backOff, count: 8 },
      }),
    );
    await waitFor(() => expect(tableRows()[0]).toMatch(/BackOff.*8/));
    act(() => api.lastEventStream.send({ type: 'delete', id: 'e-pulled' }));
    expect(await screen.findByText('Events (1)')).toBeInTheDocument();
    act(() =>
      api.lastEventStream.send({
        type: 'snapshot',
        events: [
          event('e-scheduled', {
            reason: 'Scheduled',
            message: 'Successfully assigned',
          }),
        ],
        clusterErrors: [],
      }),
    );
    await waitFor(() =>
      expect(tableRows()).toEqual([expect.stringContaining('Scheduled')]),
    );
  });

  it('re-opens a watch the server ended', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask'] });
    try {
      const api = new FakeKubeTroubleshootApi();
      withData(api);
      await render(api);
      await snapshot(api, [event('e-pulled')]);
      await act(async () => api.lastEventStream.end());
      expect(screen.getByText('Reconnecting…')).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(1500);
      });
      expect(api.watchEvents).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('narrows the diagnosis and events to the pod in the link', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.diagnosis = async () => ({
      pods: [
        crashLoop,
        {
          ...crashLoop,
          pod: 'search-indexer-other',
          severity: 'ok',
          verdict: 'running and ready',
        },
      ],
      clusterErrors: [],
    });
    await render(api, { url: `/?pod=${podName}` });
    await snapshot(api, [
      backOff,
      event('e-rs', {
        object: { kind: 'ReplicaSet', name: 'search-indexer-5d8f' },
        reason: 'SuccessfulCreate',
      }),
    ]);
    expect(await screen.findByText('Events (1)')).toBeInTheDocument();
    expect(screen.queryByText('running and ready')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Pod'), { target: { value: '' } });
    expect(await screen.findByText('Events (2)')).toBeInTheDocument();
    expect(screen.getByText('running and ready')).toBeInTheDocument();
  });
});

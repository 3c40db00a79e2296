import { act, screen, waitFor } from '@testing-library/react';
import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { kubeTroubleshootApiRef } from './api';
import {
  EntityKubeTroubleshootEventsContent,
  EntityKubeTroubleshootLogsContent,
} from './plugin';
import {
  FakeKubeTroubleshootApi,
  paymentsApi,
  pod,
} from './__testUtils__/fakeApi';

// The legacy frontend system: the exported components render inside a plain test app, as they
// do inside EntityLayout.Route.
function render(element: ReactElement, api: FakeKubeTroubleshootApi) {
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [kubeTroubleshootApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={paymentsApi}>{element}</EntityProvider>
      </TestApiProvider>
    </SWRConfig>,
  );
}

describe('legacy frontend system exports', () => {
  it('EntityKubeTroubleshootLogsContent renders the Logs tab', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.pods = async () => ({
      pods: [pod('payments-api-1', ['api'])],
      clusterErrors: [],
    });
    await render(<EntityKubeTroubleshootLogsContent />, api);
    expect(await screen.findByLabelText('Pod')).toBeInTheDocument();
    await waitFor(() => expect(api.streamLogs).toHaveBeenCalled());
  });

  it('EntityKubeTroubleshootEventsContent renders the Events tab', async () => {
    const api = new FakeKubeTroubleshootApi();
    api.diagnosis = async () => ({
      pods: [],
      clusterErrors: [],
    });
    await render(<EntityKubeTroubleshootEventsContent />, api);
    await waitFor(() => expect(api.watchEvents).toHaveBeenCalled());
    act(() =>
      api.lastEventStream.send({
        type: 'snapshot',
        events: [],
        clusterErrors: [],
      }),
    );
    expect(
      await screen.findByText('No pods found for payments-api'),
    ).toBeInTheDocument();
  });
});

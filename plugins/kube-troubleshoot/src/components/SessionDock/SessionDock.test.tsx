import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { kubeTroubleshootApiRef } from '../../api';
import { liveTerminals } from '../TerminalTab/liveTerminals';
import { KubeTroubleshootSessionDock } from './SessionDock';
import { installQuietSockets } from '../../__testUtils__/sockets';

installQuietSockets();

afterEach(() => {
  for (const t of liveTerminals.list()) liveTerminals.close(t.key);
});

describe('KubeTroubleshootSessionDock', () => {
  it('shows nothing without open terminals, then each one with its entity, cluster, age and state, a link back and a close button', async () => {
    const api = new FakeKubeTroubleshootApi();
    await renderInTestApp(
      <TestApiProvider apis={[[kubeTroubleshootApiRef, api]]}>
        <KubeTroubleshootSessionDock />
      </TestApiProvider>,
    );
    expect(screen.queryByRole('region', { name: 'Open terminals' })).not.toBeInTheDocument();
    const entity = { kind: 'component', namespace: 'default', name: 'payments-api' };
    const live = liveTerminals.open(api, { entity, cluster: 'sandbox', pod: 'payments-api-1', container: 'api', href: '/catalog/default/component/payments-api/terminal' }, 'owner', () =>
      api.createSession(entity, { cluster: 'sandbox', pod: 'payments-api-1', container: 'api' }),
    );
    fireEvent.click(await screen.findByRole('button', { name: /Open terminals: 1 running/ }));
    const link = screen.getByRole('link', { name: 'payments-api-1/api' });
    expect(link).toHaveAttribute('href', `/catalog/default/component/payments-api/terminal?session=${live.key}`);
    expect(screen.getByTestId('dock-session')).toHaveTextContent(/payments-api · sandbox · just now · connecting/);
    fireEvent.click(screen.getByRole('button', { name: 'Close the terminal of payments-api-1/api' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Open terminals' })).not.toBeInTheDocument());
    expect(liveTerminals.list()).toEqual([]);
  });
});

import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';
import { databaseClients } from './databaseClients';
import { SandboxProcess } from './sandboxProcess';

export const BENCH_ORIGIN = 'http://localhost:3000';

/**
 * The backend the session benches measure: one entity whose pods are in namespace `bench` of the
 * sandbox, every permission allowed, the admin token, and the bench's own kubeTroubleshoot keys.
 */
/** The sandbox's tool image (the plugin's default is a public one no sandbox pulls). */
const SANDBOX_TOOL_IMAGE = { name: 'debug-tools', image: 'sandbox.local/debug-tools:1', description: 'the sandbox tool image', default: true };

export async function startBenchBackend(
  sandbox: Pick<SandboxProcess, 'url' | 'caData' | 'admin'>,
  entities: string | string[],
  kubeTroubleshoot: Record<string, Record<string, number | boolean>> = {},
  token = sandbox.admin,
) {
  const clients = databaseClients();
  const backend = await startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      clients.module,
      catalogServiceMock.factory({
        entities: [entities].flat().map(entity => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: entity, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': entity, 'backstage.io/kubernetes-namespace': 'bench' } },
          spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
        })),
      }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true },
          app: { baseUrl: BENCH_ORIGIN },
          kubeTroubleshoot: {
            clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: token }],
            ...kubeTroubleshoot,
            debug: { images: [SANDBOX_TOOL_IMAGE], ...kubeTroubleshoot.debug },
          },
        },
      }),
      // Every permission allowed (the jest-free factory: this also runs outside Jest, in backendProcessMain.ts).
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
    ],
  });
  // Stopped, it also closes the plugin's database clients, so the bench's process can end.
  const stop = backend.stop.bind(backend);
  return Object.assign(backend, { stop: async () => { await stop(); await clients.closeAll(); } });
}

import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  coreServices,
  createBackendPlugin,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { catalogEntityCreatePermission } from '@backstage/plugin-catalog-common/alpha';
import { kubeTroubleshootRecordingsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import permissionBackend from '@backstage/plugin-permission-backend';
import permissionModule from './index';

// The module in a real permission backend, asked the way plugins ask: through
// coreServices.permissions, over HTTP to /api/permission/authorize. (Entity permissions come
// back as catalog conditions, which the permission backend hands to the catalog: decision.test.ts
// evaluates them with the catalog's own rules.)
describe('permissionModuleKubeTroubleshootPolicy', () => {
  let permissions: PermissionsService | undefined;
  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(reg) {
      reg.registerInit({
        deps: { permissions: coreServices.permissions },
        async init(deps) {
          permissions = deps.permissions;
        },
      });
    },
  });

  async function start(adminRefs?: string[]) {
    return startTestBackend({
      features: [
        permissionBackend,
        permissionModule,
        probe,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            kubeTroubleshoot: adminRefs ? { policy: { adminRefs } } : {},
          },
        }),
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/mock',
            ownershipEntityRefs: ['user:default/mock', 'group:default/ops'],
          }),
        }).factory,
      ],
    });
  }

  async function ask(permission: BasicPermission) {
    const [decision] = await permissions!.authorize([{ permission }], {
      credentials: mockCredentials.user(),
    });
    return decision.result;
  }

  it('keeps other plugins allowed and kube-troubleshoot recordings to admins', async () => {
    const backend = await start();
    try {
      expect(await ask(catalogEntityCreatePermission)).toBe(AuthorizeResult.ALLOW);
      expect(await ask(kubeTroubleshootRecordingsReadPermission)).toBe(AuthorizeResult.DENY);
    } finally {
      await backend.stop();
    }
  });

  it('reads its admins from kubeTroubleshoot.policy.adminRefs', async () => {
    const backend = await start(['group:default/ops']);
    try {
      expect(await ask(kubeTroubleshootRecordingsReadPermission)).toBe(AuthorizeResult.ALLOW);
    } finally {
      await backend.stop();
    }
  });
});

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { KubeTroubleshootOwnershipPolicy } from './OwnershipPolicy';

/**
 * Sets {@link KubeTroubleshootOwnershipPolicy} as the permission policy, with
 * `kubeTroubleshoot.policy.adminRefs` as its admins. Replaces the allow-all module (a backend
 * has one policy).
 *
 * @public
 */
export const permissionModuleKubeTroubleshootPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'kube-troubleshoot-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
        config: coreServices.rootConfig,
      },
      async init({ policy, userInfo, config }) {
        const adminRefs =
          config.getOptionalStringArray('kubeTroubleshoot.policy.adminRefs') ?? [];
        policy.setPolicy(new KubeTroubleshootOwnershipPolicy(userInfo, { adminRefs }));
      },
    });
  },
});

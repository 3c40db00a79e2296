import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { kubeTroubleshootPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import { createRouter } from './router';

/**
 * The Kube Troubleshoot backend plugin.
 *
 * @public
 */
export const kubeTroubleshootPlugin = createBackendPlugin({
  pluginId: 'kube-troubleshoot',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ httpRouter, logger, permissionsRegistry }) {
        permissionsRegistry.addPermissions(kubeTroubleshootPermissions);
        httpRouter.use(await createRouter({ logger }));
        // Load balancers and uptime probes call it without a Backstage token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

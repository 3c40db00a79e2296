import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { kubeTroubleshootPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import { ClusterRegistry } from './clusters/ClusterRegistry';
import { readClusterConfig } from './clusters/readClusterConfig';
import { EntityEvents } from './events/EntityEvents';
import { createRouter } from './router';
import { TargetResolver } from './targets/TargetResolver';

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
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init({ httpRouter, httpAuth, logger, config, permissions, permissionsRegistry, auditor, catalog }) {
        const clusterConfigs = readClusterConfig(config);
        if (!clusterConfigs.length) logger.warn('no kubeTroubleshoot.clusters configured: the tabs will show no pods');
        const clusters = new ClusterRegistry(clusterConfigs);
        const targets = new TargetResolver(clusters);
        permissionsRegistry.addPermissions(kubeTroubleshootPermissions);
        httpRouter.use(
          await createRouter({ logger, httpAuth, permissions, catalog, auditor, targets, events: new EntityEvents(targets) }),
        );
        // Load balancers and uptime probes call it without a Backstage token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

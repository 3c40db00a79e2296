import { createFrontendPlugin } from '@backstage/frontend-plugin-api';

/**
 * The Kube Troubleshoot plugin for the new frontend system.
 *
 * @alpha
 */
export const kubeTroubleshootPlugin = createFrontendPlugin({
  pluginId: 'kube-troubleshoot',
  title: 'Kubernetes troubleshooting',
  info: { packageJson: () => import('../package.json') },
});

export default kubeTroubleshootPlugin;

import { createPlugin } from '@backstage/core-plugin-api';

/**
 * The Kube Troubleshoot plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const kubeTroubleshootPlugin = createPlugin({
  id: 'kube-troubleshoot',
});

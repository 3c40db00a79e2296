import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
} from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { hasKubernetesAnnotations } from '@kube-troubleshoot/backstage-plugin-common';
import { kubeTroubleshootClientFactory } from './api/clientFactory';

/**
 * The Kube Troubleshoot plugin for apps on the legacy frontend system.
 *
 * @public
 */
const recordingsRouteRef = createRouteRef({ id: 'kube-troubleshoot:recordings' });

export const kubeTroubleshootPlugin = createPlugin({
  id: 'kube-troubleshoot',
  routes: { recordings: recordingsRouteRef },
  apis: [
    createApiFactory(kubeTroubleshootClientFactory),
  ],
});

/**
 * Whether the entity has the annotations the tabs need (`backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`), for `EntitySwitch.Case if={...}`.
 *
 * @public
 */
export function isKubeTroubleshootAvailable(entity: Entity): boolean {
  return hasKubernetesAnnotations(entity);
}

/**
 * The Logs tab, for `<EntityLayout.Route path="/logs" title="Logs">`.
 *
 * @public
 */
export const EntityKubeTroubleshootLogsContent = kubeTroubleshootPlugin.provide(
  createComponentExtension({
    name: 'EntityKubeTroubleshootLogsContent',
    component: {
      lazy: () => import('./components/LogsTab').then(m => m.LogsTab),
    },
  }),
);

/**
 * The Events tab (diagnosis and events), for `<EntityLayout.Route path="/events" title="Events">`.
 *
 * @public
 */
export const EntityKubeTroubleshootEventsContent =
  kubeTroubleshootPlugin.provide(
    createComponentExtension({
      name: 'EntityKubeTroubleshootEventsContent',
      component: {
        lazy: () => import('./components/EventsTab').then(m => m.EventsTab),
      },
    }),
  );

/**
 * The Terminal tab, for `<EntityLayout.Route path="/terminal" title="Terminal">`.
 *
 * @public
 */
export const EntityKubeTroubleshootTerminalContent =
  kubeTroubleshootPlugin.provide(
    createComponentExtension({
      name: 'EntityKubeTroubleshootTerminalContent',
      component: {
        lazy: () =>
          import('./components/TerminalTab').then(m => m.TerminalTab),
      },
    }),
  );

/**
 * The page of terminal recordings, for `<Route path="/kube-troubleshoot/recordings" element={<KubeTroubleshootRecordingsPage />} />`.
 *
 * @public
 */
export const KubeTroubleshootRecordingsPage = kubeTroubleshootPlugin.provide(
  createRoutableExtension({
    name: 'KubeTroubleshootRecordingsPage',
    component: () =>
      import('./components/Recordings').then(m => m.RecordingsPage),
    mountPoint: recordingsRouteRef,
  }),
);

/**
 * The Debug tab, for `<EntityLayout.Route path="/debug" title="Debug">`.
 *
 * @public
 */
export const EntityKubeTroubleshootDebugContent = kubeTroubleshootPlugin.provide(
  createComponentExtension({
    name: 'EntityKubeTroubleshootDebugContent',
    component: {
      lazy: () => import('./components/DebugTab').then(m => m.DebugTab),
    },
  }),
);

import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { hasKubernetesAnnotations } from '@kube-troubleshoot/backstage-plugin-common';
import { KubeTroubleshootClient, kubeTroubleshootApiRef } from './api';

/**
 * The Kube Troubleshoot plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const kubeTroubleshootPlugin = createPlugin({
  id: 'kube-troubleshoot',
  apis: [
    createApiFactory({
      api: kubeTroubleshootApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new KubeTroubleshootClient({ discoveryApi, fetchApi }),
    }),
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

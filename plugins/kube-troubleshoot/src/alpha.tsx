import {
  ApiBlueprint,
  AppRootElementBlueprint,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@kube-troubleshoot/backstage-plugin-common';
import { kubeTroubleshootClientFactory } from './api/clientFactory';
import { KubeTroubleshootRecordingsIcon } from './components/Recordings/RecordingsIcon';
import { KubeTroubleshootSessionDock } from './components/SessionDock';

// The blueprint's own predicate type: @backstage/filter-predicates' version follows the app's catalog-react.
type EntityFilter = Exclude<
  Extract<
    Parameters<typeof EntityContentBlueprint.make>[0]['params'],
    { filter?: unknown }
  >['filter'],
  Function | undefined
>;
/**
 * Shows the tabs only on entities with the kubernetes annotations. A predicate rather than a
 * function, so an app can replace it in config (`filter:`).
 */
const hasKubernetesAnnotations: EntityFilter = {
  $any: [
    { [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: { $exists: true } },
    {
      [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]: {
        $exists: true,
      },
    },
  ],
};

/** @alpha */
export const kubeTroubleshootApi = ApiBlueprint.make({
  params: defineParams => defineParams(kubeTroubleshootClientFactory),
});

/** The Logs tab: `entity-content:kube-troubleshoot/logs`. @alpha */
export const kubeTroubleshootLogsEntityContent = EntityContentBlueprint.make({
  name: 'logs',
  params: {
    path: 'logs',
    title: 'Logs',
    filter: hasKubernetesAnnotations,
    loader: () => import('./components/LogsTab').then(m => <m.LogsTab />),
  },
});

/** The Events tab: `entity-content:kube-troubleshoot/events`. @alpha */
export const kubeTroubleshootEventsEntityContent = EntityContentBlueprint.make({
  name: 'events',
  params: {
    path: 'events',
    title: 'Events',
    filter: hasKubernetesAnnotations,
    loader: () => import('./components/EventsTab').then(m => <m.EventsTab />),
  },
});

/** The Terminal tab: `entity-content:kube-troubleshoot/terminal`. @alpha */
export const kubeTroubleshootTerminalEntityContent =
  EntityContentBlueprint.make({
    name: 'terminal',
    params: {
      path: 'terminal',
      title: 'Terminal',
      filter: hasKubernetesAnnotations,
      loader: () =>
        import('./components/TerminalTab').then(m => <m.TerminalTab />),
    },
  });

/** The Debug tab: `entity-content:kube-troubleshoot/debug`. @alpha */
export const kubeTroubleshootDebugEntityContent = EntityContentBlueprint.make({
  name: 'debug',
  params: {
    path: 'debug',
    title: 'Debug',
    filter: hasKubernetesAnnotations,
    loader: () => import('./components/DebugTab').then(m => <m.DebugTab />),
  },
});

/**
 * The dock of open terminals, on every page: `app-root-element:kube-troubleshoot/session-dock`.
 * Terminals keep running while the user moves around the portal; the dock lists them.
 *
 * @alpha
 */
export const kubeTroubleshootSessionDock = AppRootElementBlueprint.make({
  name: 'session-dock',
  params: { element: <KubeTroubleshootSessionDock /> },
});

/** @alpha */
export const recordingsRouteRef = createRouteRef();

/** The recordings page: `page:kube-troubleshoot/recordings` at `/kube-troubleshoot/recordings`. @alpha */
export const kubeTroubleshootRecordingsPage = PageBlueprint.make({
  name: 'recordings',
  params: {
    path: '/kube-troubleshoot/recordings',
    title: 'Recordings',
    // With a title and an icon the page gets a sidebar item of its own.
    icon: <KubeTroubleshootRecordingsIcon />,
    routeRef: recordingsRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/Recordings').then(m => <m.RecordingsPage />),
  },
});

/**
 * The Kube Troubleshoot plugin for the new frontend system.
 *
 * @alpha
 */
export const kubeTroubleshootPlugin = createFrontendPlugin({
  pluginId: 'kube-troubleshoot',
  title: 'Kubernetes troubleshooting',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    kubeTroubleshootApi,
    kubeTroubleshootLogsEntityContent,
    kubeTroubleshootEventsEntityContent,
    kubeTroubleshootTerminalEntityContent,
    kubeTroubleshootDebugEntityContent,
    kubeTroubleshootRecordingsPage,
    kubeTroubleshootSessionDock,
  ],
  routes: { recordings: recordingsRouteRef },
});

export default kubeTroubleshootPlugin;

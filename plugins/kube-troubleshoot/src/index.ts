/**
 * Logs, Events, Terminal and Debug tabs for catalog entities that run on
 * Kubernetes. This entry point serves the legacy frontend system; the new
 * frontend system uses the default export of `/alpha`.
 *
 * @packageDocumentation
 */

export {
  kubeTroubleshootPlugin,
  isKubeTroubleshootAvailable,
  EntityKubeTroubleshootLogsContent,
  EntityKubeTroubleshootEventsContent,
  EntityKubeTroubleshootTerminalContent,
  EntityKubeTroubleshootDebugContent,
  KubeTroubleshootRecordingsPage,
} from './plugin';
export { KubeTroubleshootRecordingsIcon } from './components/Recordings/RecordingsIcon';
export { KubeTroubleshootSessionDock } from './components/SessionDock';
export {
  kubeTroubleshootApiRef,
  KubeTroubleshootClient,
  KubeTroubleshootApiError,
} from './api';
export type {
  KubeTroubleshootApi,
  EntityRefParts,
  RecordingFilter,
} from './api';

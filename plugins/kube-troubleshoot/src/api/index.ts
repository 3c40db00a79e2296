export {
  kubeTroubleshootApiRef,
  KubeTroubleshootApiError,
} from './KubeTroubleshootApi';
export type {
  KubeTroubleshootApi,
  EntityRefParts,
  RecordingFilter,
  SessionSocket,
} from './KubeTroubleshootApi';
export { KubeTroubleshootClient, logFileName } from './KubeTroubleshootClient';

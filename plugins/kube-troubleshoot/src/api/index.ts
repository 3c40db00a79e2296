export {
  kubeTroubleshootApiRef,
  KubeTroubleshootApiError,
} from './KubeTroubleshootApi';
export type {
  KubeTroubleshootApi,
  EntityRefParts,
  DownloadProgress,
  RecordingFilter,
  SessionSocket,
} from './KubeTroubleshootApi';
export { KubeTroubleshootClient, logFileName } from './KubeTroubleshootClient';

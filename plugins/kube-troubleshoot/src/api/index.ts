export {
  kubeTroubleshootApiRef,
  KubeTroubleshootApiError,
} from './KubeTroubleshootApi';
export type {
  KubeTroubleshootApi,
  EntityRefParts,
  RecordingFilter,
} from './KubeTroubleshootApi';
export { KubeTroubleshootClient, logFileName } from './KubeTroubleshootClient';

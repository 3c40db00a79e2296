export {
  kubeTroubleshootApiRef,
  KubeTroubleshootApiError,
} from './KubeTroubleshootApi';
export type {
  KubeTroubleshootApi,
  EntityRefParts,
} from './KubeTroubleshootApi';
export { KubeTroubleshootClient, logFileName } from './KubeTroubleshootClient';

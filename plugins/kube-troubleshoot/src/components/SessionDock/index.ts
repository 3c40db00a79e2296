export { KubeTroubleshootSessionDock } from './SessionDock';

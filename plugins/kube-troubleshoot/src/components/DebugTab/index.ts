export { DebugTab } from './DebugTab';

export { TerminalTab } from './TerminalTab';

/**
 * Permissions and shared types of the Kube Troubleshoot plugins.
 *
 * @packageDocumentation
 */

export * from './permissions';

export * from './api';
export * from './terminalProtocol';
export * from './quantity';
export * from './logSeverity';

/**
 * Backend plugin of Kube Troubleshoot: logs, events, terminal and debug
 * sessions for catalog entities, authorized per entity.
 *
 * @packageDocumentation
 */

export { kubeTroubleshootPlugin as default } from './plugin';

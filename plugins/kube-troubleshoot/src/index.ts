/**
 * Logs, Events, Terminal and Debug tabs for catalog entities that run on
 * Kubernetes. This entry point serves the legacy frontend system; the new
 * frontend system uses the default export of `/alpha`.
 *
 * @packageDocumentation
 */

export { kubeTroubleshootPlugin } from './plugin';

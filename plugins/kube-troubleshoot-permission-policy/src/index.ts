/**
 * The ownership policy of Kube Troubleshoot: owners of an entity get its Logs, Events,
 * Terminal and Debug tabs; admins get everything, other users' recordings included.
 *
 * - Apps with a policy of their own call {@link kubeTroubleshootPolicyDecision} from it.
 * - Apps still on the allow-all policy add this package's default export instead of it.
 *
 * @packageDocumentation
 */

export { permissionModuleKubeTroubleshootPolicy as default } from './module';
export {
  decideKubeTroubleshootPermission,
  kubeTroubleshootPolicyDecision,
} from './decision';
export type { KubeTroubleshootPolicyOptions } from './decision';
export { KubeTroubleshootOwnershipPolicy } from './OwnershipPolicy';

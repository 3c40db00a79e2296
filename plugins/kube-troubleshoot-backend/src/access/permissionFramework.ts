import { PermissionsService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AuthorizeResult, isPermission, Permission } from '@backstage/plugin-permission-common';
import {
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootTerminalCreatePermission,
} from '@kube-troubleshoot/backstage-plugin-common';

/**
 * With `permission.enabled` not true, Backstage's permissions service allows everything. For logs
 * and events that is what the official Kubernetes plugin does too; for shells, debug containers and
 * other users' recordings it would make them every signed-in user's, the guest's included. So these
 * are never granted without the framework.
 */
const NEEDS_FRAMEWORK: Permission[] = [
  kubeTroubleshootTerminalCreatePermission,
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootRecordingsReadPermission,
];

function needsFramework(permission: Permission): boolean {
  return NEEDS_FRAMEWORK.some(p => isPermission(permission, p));
}

export function permissionFrameworkEnabled(config: Config): boolean {
  return config.getOptionalBoolean('permission.enabled') === true;
}

/** The permissions service the plugin uses when the framework is off: the three above denied. */
export function withoutPermissionFramework(permissions: PermissionsService): PermissionsService {
  return {
    async authorize(requests, options) {
      const answers = await permissions.authorize(requests, options);
      return answers.map((a, i) => (needsFramework(requests[i].permission) ? { result: AuthorizeResult.DENY } : a));
    },
    async authorizeConditional(requests, options) {
      const answers = await permissions.authorizeConditional(requests, options);
      return answers.map((a, i) => (needsFramework(requests[i].permission) ? { result: AuthorizeResult.DENY } : a));
    },
  };
}

/** Why a denial happened, when it is the framework being off rather than the policy. */
export function frameworkOffNote(permissionNames: string[]): string | undefined {
  if (!permissionNames.length || !permissionNames.every(n => NEEDS_FRAMEWORK.some(p => p.name === n))) return undefined;
  return (
    `${permissionNames.join(', ')} needs the permission framework, which is off in this Backstage ` +
    '(permission.enabled is not true): terminal and debug sessions are nobody\'s until it is on with a policy ' +
    '(see the Kube Troubleshoot README, "Permissions")'
  );
}

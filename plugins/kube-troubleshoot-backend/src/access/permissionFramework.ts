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

/** DENY, whatever the service answered, for the permissions that need the framework. */
function denyThose<R>(requests: readonly { permission: Permission }[], answers: R[]): R[] {
  return answers.map((a, i) => (needsFramework(requests[i].permission) ? ({ result: AuthorizeResult.DENY } as R) : a));
}

/** Why a denial happened, when it is the framework being off rather than the policy. */
function frameworkOffNote(permissionNames: string[]): string | undefined {
  if (!permissionNames.length || !permissionNames.every(n => NEEDS_FRAMEWORK.some(p => p.name === n))) return undefined;
  return (
    `${permissionNames.join(', ')} needs the permission framework, which is off in this Backstage ` +
    '(permission.enabled is not true): terminal and debug sessions are nobody\'s until it is on with a policy ' +
    '(see the Kube Troubleshoot README, "Permissions")'
  );
}

/**
 * The permissions service the plugin uses, and what explains its denials: Backstage's own while the
 * framework is on; with it off, one that denies the permissions above, with a note saying why.
 */
export function pluginPermissions(config: Config, permissions: PermissionsService): {
  frameworkOn: boolean;
  permissions: PermissionsService;
  denialNote?: (permissionNames: string[]) => string | undefined;
} {
  if (config.getOptionalBoolean('permission.enabled') === true) return { frameworkOn: true, permissions };
  return {
    frameworkOn: false,
    permissions: {
      authorize: async (requests, options) => denyThose(requests, await permissions.authorize(requests, options)),
      authorizeConditional: async (requests, options) => denyThose(requests, await permissions.authorizeConditional(requests, options)),
    },
    denialNote: frameworkOffNote,
  };
}

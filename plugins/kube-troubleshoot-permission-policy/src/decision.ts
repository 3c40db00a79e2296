import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  kubeTroubleshootEntityPermissions,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootSessionsTerminatePermission,
} from '@kube-troubleshoot/backstage-plugin-common';

const PREFIX = 'kube-troubleshoot.';

/** @public */
export interface KubeTroubleshootPolicyOptions {
  /**
   * Users or groups (entity refs, e.g. `group:default/platform-admins`) that get every
   * kube-troubleshoot permission on every entity, recordings included. Default: none.
   */
  adminRefs?: readonly string[];
}

/**
 * The ownership rules, as a pure decision on what is known of the user:
 * - not a kube-troubleshoot permission: `undefined`, the caller's policy decides;
 * - no user (a service, an unauthenticated call): deny;
 * - `adminRefs`: allow every known kube-troubleshoot permission;
 * - the entity permissions (logs, events, terminal, debug, and watching a shared session): the
 *   entity's owners, as a condition the catalog evaluates with its `IS_ENTITY_OWNER` rule;
 * - `kube-troubleshoot.recordings.read` (other users' recordings) and
 *   `kube-troubleshoot.sessions.terminate` (ending other users' live sessions): admins only;
 * - any other kube-troubleshoot permission: deny.
 *
 * @param ownershipEntityRefs - the user's ownership refs (`UserInfoService`), undefined for no user
 * @public
 */
export function decideKubeTroubleshootPermission(
  permission: Permission,
  ownershipEntityRefs: readonly string[] | undefined,
  options: KubeTroubleshootPolicyOptions = {},
): PolicyDecision | undefined {
  if (!permission.name.startsWith(PREFIX)) return undefined;
  if (!ownershipEntityRefs) return { result: AuthorizeResult.DENY };

  const admins = options.adminRefs ?? [];
  const isAdmin = ownershipEntityRefs.some(ref => admins.includes(ref));

  if (
    isPermission(permission, kubeTroubleshootRecordingsReadPermission) ||
    isPermission(permission, kubeTroubleshootSessionsTerminatePermission)
  ) {
    return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
  const isEntityPermission =
    isResourcePermission(permission, 'catalog-entity') &&
    kubeTroubleshootEntityPermissions.some(p => isPermission(permission, p));
  if (!isEntityPermission) return { result: AuthorizeResult.DENY };
  if (isAdmin) return { result: AuthorizeResult.ALLOW };
  // What the catalog's createCatalogConditionalDecision(isEntityOwner) builds, without
  // depending on the catalog backend.
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: [...ownershipEntityRefs] },
    },
  };
}

/**
 * {@link decideKubeTroubleshootPermission} for a `PermissionPolicy.handle` call: looks the user's
 * ownership refs up only for kube-troubleshoot permissions. Call it first in your own policy and
 * return its decision when it gives one:
 *
 * ```ts
 * const decision = await kubeTroubleshootPolicyDecision(request, user, { userInfo, adminRefs });
 * if (decision) return decision;
 * ```
 *
 * @public
 */
export async function kubeTroubleshootPolicyDecision(
  request: PolicyQuery,
  user: PolicyQueryUser | undefined,
  options: KubeTroubleshootPolicyOptions & { userInfo: UserInfoService },
): Promise<PolicyDecision | undefined> {
  const { permission } = request;
  if (!permission.name.startsWith(PREFIX)) return undefined;
  const refs = user && (await options.userInfo.getUserInfo(user.credentials)).ownershipEntityRefs;
  return decideKubeTroubleshootPermission(permission, refs, options);
}

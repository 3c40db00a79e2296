import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  kubeTroubleshootEntityPermissions,
  kubeTroubleshootRecordingsReadPermission,
} from '@kube-troubleshoot/backstage-plugin-common';

/** Members of this group may do everything the kube-troubleshoot plugin offers. */
export const PLATFORM_ADMINS_GROUP = 'group:default/platform-admins';

const KUBE_TROUBLESHOOT_PREFIX = 'kube-troubleshoot.';

/**
 * The example policy of this portal:
 * - the four entity permissions (logs, events, terminal, debug): the entity's
 *   owners, decided by the catalog with its `IS_ENTITY_OWNER` rule;
 * - `kube-troubleshoot.recordings.read`: platform admins only;
 * - platform admins: every kube-troubleshoot permission on every entity;
 * - any other kube-troubleshoot permission: denied;
 * - other plugins' permissions: allowed, so the catalog keeps working.
 */
export class KubeTroubleshootExamplePolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith(KUBE_TROUBLESHOOT_PREFIX)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }

    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    const isAdmin = ownershipEntityRefs.includes(PLATFORM_ADMINS_GROUP);

    if (isPermission(permission, kubeTroubleshootRecordingsReadPermission)) {
      return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }

    const isEntityPermission = kubeTroubleshootEntityPermissions.some(p =>
      isPermission(permission, p),
    );
    if (
      isEntityPermission &&
      isResourcePermission(permission, 'catalog-entity')
    ) {
      if (isAdmin) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }

    return { result: AuthorizeResult.DENY };
  }
}

/** Installs {@link KubeTroubleshootExamplePolicy} in the permission backend. */
export const permissionModuleKubeTroubleshootPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'kube-troubleshoot-example-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new KubeTroubleshootExamplePolicy(userInfo));
      },
    });
  },
});

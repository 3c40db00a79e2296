import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  KubeTroubleshootPolicyOptions,
  kubeTroubleshootPolicyDecision,
} from './decision';

/**
 * The allow-all policy with the kube-troubleshoot ownership rules on top: what an app that
 * still runs `@backstage/plugin-permission-backend-module-allow-all-policy` gets by swapping
 * that module for this package's. Every other plugin's permissions stay allowed.
 *
 * @public
 */
export class KubeTroubleshootOwnershipPolicy implements PermissionPolicy {
  constructor(
    private readonly userInfo: UserInfoService,
    private readonly options: KubeTroubleshootPolicyOptions = {},
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const decision = await kubeTroubleshootPolicyDecision(request, user, {
      ...this.options,
      userInfo: this.userInfo,
    });
    return decision ?? { result: AuthorizeResult.ALLOW };
  }
}

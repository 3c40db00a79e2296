import { BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  createPermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRule,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootEntityPermissions,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootSessionsTerminatePermission,
  kubeTroubleshootTerminalWatchPermission,
  kubeTroubleshootTerminalCreatePermission,
} from '@kube-troubleshoot/backstage-plugin-common';
import { decideKubeTroubleshootPermission } from './decision';
import { KubeTroubleshootOwnershipPolicy } from './OwnershipPolicy';

const ownership: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/team-payments'],
  'user:default/bob': ['user:default/bob', 'group:default/team-search'],
  'user:default/admin': ['user:default/admin', 'group:default/platform-admins'],
};

function userOf(userEntityRef: string): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: ownership[userEntityRef] },
  };
}

const policy = new KubeTroubleshootOwnershipPolicy(
  {
    async getUserInfo(credentials) {
      const { userEntityRef } = credentials.principal as BackstageUserPrincipal;
      return { userEntityRef, ownershipEntityRefs: ownership[userEntityRef] };
    },
  },
  { adminRefs: ['group:default/platform-admins'] },
);

function component(name: string, ownerGroup: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: ownerGroup },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${ownerGroup}` }],
  };
}
const paymentsApi = component('payments-api', 'team-payments');
const searchIndexer = component('search-indexer', 'team-search');

// Evaluates conditional decisions with the catalog's own rules, as the catalog does.
const catalogRules = Object.values(permissionRules) as PermissionRule<
  Entity,
  unknown,
  'catalog-entity'
>[];
const authorizeOnEntity = createConditionAuthorizer<Entity>({
  getRuleByName(name) {
    const rule = catalogRules.find(r => r.name === name);
    if (!rule) throw new Error(`no catalog rule ${name}`);
    return rule;
  },
});

async function decide(permission: Permission, user?: string) {
  return policy.handle({ permission }, user ? userOf(user) : undefined);
}

function allowedOn(decision: PolicyDecision, entity: Entity): boolean {
  return authorizeOnEntity(decision, entity);
}

describe('KubeTroubleshootOwnershipPolicy', () => {
  describe.each(kubeTroubleshootEntityPermissions.map(p => [p.name, p]))(
    '%s',
    (_name, permission) => {
      it('gives an owner the catalog owner condition', async () => {
        const decision = await decide(permission, 'user:default/alice');
        expect(decision).toEqual({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: {
              claims: ['user:default/alice', 'group:default/team-payments'],
            },
          },
        });
        expect(allowedOn(decision, paymentsApi)).toBe(true);
      });

      it('denies a non-owner once the catalog applies the condition', async () => {
        const alice = await decide(permission, 'user:default/alice');
        const bob = await decide(permission, 'user:default/bob');
        expect(allowedOn(alice, searchIndexer)).toBe(false);
        expect(allowedOn(bob, paymentsApi)).toBe(false);
        expect(allowedOn(bob, searchIndexer)).toBe(true);
      });

      it('allows a platform admin on any entity', async () => {
        const decision = await decide(permission, 'user:default/admin');
        expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
        expect(allowedOn(decision, paymentsApi)).toBe(true);
        expect(allowedOn(decision, searchIndexer)).toBe(true);
      });

      it('denies a request without a user', async () => {
        expect(await decide(permission)).toEqual({
          result: AuthorizeResult.DENY,
        });
      });
    },
  );

  it('covers the four tabs and watching', () => {
    expect(kubeTroubleshootEntityPermissions).toEqual([
      kubeTroubleshootLogsReadPermission,
      kubeTroubleshootEventsReadPermission,
      kubeTroubleshootTerminalCreatePermission,
      kubeTroubleshootDebugCreatePermission,
      kubeTroubleshootTerminalWatchPermission,
    ]);
  });

  it.each([
    ['read recordings', kubeTroubleshootRecordingsReadPermission],
    ["end others' sessions", kubeTroubleshootSessionsTerminatePermission],
  ])('lets only platform admins %s', async (_what, permission) => {
    expect(await decide(permission, 'user:default/admin')).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await decide(permission, 'user:default/alice')).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await decide(permission, 'user:default/bob')).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('denies unknown kube-troubleshoot permissions, even to admins', async () => {
    const unknown = createPermission({
      name: 'kube-troubleshoot.cluster.delete',
      attributes: { action: 'delete' },
    });
    expect(await decide(unknown, 'user:default/admin')).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it("allows other plugins' permissions", async () => {
    expect(
      await decide(catalogEntityReadPermission, 'user:default/bob'),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('gives no one admin rights without adminRefs', () => {
    const refs = ownership['user:default/admin'];
    expect(
      decideKubeTroubleshootPermission(kubeTroubleshootRecordingsReadPermission, refs),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      decideKubeTroubleshootPermission(kubeTroubleshootTerminalCreatePermission, refs),
    ).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
  });

  it("leaves other plugins' permissions to the caller's policy", () => {
    expect(
      decideKubeTroubleshootPermission(catalogEntityReadPermission, ['user:default/bob']),
    ).toBeUndefined();
  });
});

import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, ResourcePermission } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';

type EntityPermission = ResourcePermission<'catalog-entity'>;

interface Deps {
  permissions: PermissionsService;
  catalog: CatalogService;
  /** Says why permissions were denied when the policy is not the reason (the framework is off). */
  denialNote?: (permissionNames: string[]) => string | undefined;
}

/** Which of `permissions` the credentials hold on the entity, in one call to the permission framework. */
async function decide(deps: Pick<Deps, 'permissions'>, credentials: BackstageCredentials, entityRef: string, permissions: EntityPermission[]) {
  const decisions = await deps.permissions.authorize(
    permissions.map(permission => ({ permission, resourceRef: entityRef })),
    { credentials },
  );
  return permissions.filter((_p, i) => decisions[i]?.result === AuthorizeResult.ALLOW);
}

/**
 * May these credentials do `permission` (or any one of a list) on the entity? Loads the entity with
 * the caller's own credentials (so the catalog's read rules apply too), then asks the permission
 * framework with the entity as resourceRef. A denial names the permission, so the user knows what
 * to ask for.
 */
export async function authorizeEntity(
  deps: Deps,
  credentials: BackstageCredentials,
  entityRef: string,
  permission: EntityPermission | EntityPermission[],
): Promise<Entity> {
  const entity = await deps.catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
  const ref = stringifyEntityRef(entity);
  const wanted = Array.isArray(permission) ? permission : [permission];
  if (!(await decide(deps, credentials, ref, wanted)).length) {
    const owner = typeof entity.spec?.owner === 'string' ? `; it is owned by ${entity.spec.owner}` : '';
    const names = wanted.map(p => p.name);
    const note = deps.denialNote?.(names);
    if (note) throw new NotAllowedError(note);
    const what = names.length === 1 ? names[0] : `any of ${names.join(', ')}`;
    throw new NotAllowedError(`you do not have ${what} on ${ref}${owner}`);
  }
  return entity;
}

/** Whether the credentials hold one more permission on an entity already authorized (no error). */
export async function isAllowedOnEntity(deps: Pick<Deps, 'permissions'>, credentials: BackstageCredentials, entityRef: string, permission: EntityPermission) {
  return (await decide(deps, credentials, entityRef, [permission])).length === 1;
}

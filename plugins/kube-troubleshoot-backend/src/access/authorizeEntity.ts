import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, ResourcePermission } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * May these credentials do `permission` on the entity? Loads the entity with the caller's own
 * credentials (so the catalog's read rules apply too), then asks the permission framework with
 * the entity as resourceRef. Denial names the permission, so the user knows what to ask for.
 */
export async function authorizeEntity(
  deps: { permissions: PermissionsService; catalog: CatalogService },
  credentials: BackstageCredentials,
  entityRef: string,
  permission: ResourcePermission<'catalog-entity'>,
): Promise<Entity> {
  const entity = await deps.catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
  const ref = stringifyEntityRef(entity);
  const [decision] = await deps.permissions.authorize([{ permission, resourceRef: ref }], { credentials });
  if (decision.result !== AuthorizeResult.ALLOW) {
    const owner = typeof entity.spec?.owner === 'string' ? `; it is owned by ${entity.spec.owner}` : '';
    throw new NotAllowedError(`you do not have ${permission.name} on ${ref}${owner}`);
  }
  return entity;
}

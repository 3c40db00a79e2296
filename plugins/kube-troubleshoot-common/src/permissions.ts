import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the container logs of an entity's pods (the Logs tab).
 *
 * Checked against the catalog entity, so a policy can grant it per entity,
 * for example to the entity's owners only.
 *
 * @public
 */
export const kubeTroubleshootLogsReadPermission = createPermission({
  name: 'kube-troubleshoot.logs.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read the Kubernetes events of an entity's workload (the Events tab).
 *
 * @public
 */
export const kubeTroubleshootEventsReadPermission = createPermission({
  name: 'kube-troubleshoot.events.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Open an interactive shell in a container of one of the entity's pods
 * (the Terminal tab).
 *
 * @public
 */
export const kubeTroubleshootTerminalCreatePermission = createPermission({
  name: 'kube-troubleshoot.terminal.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Attach an ephemeral debug container to, or fork, one of the entity's pods
 * (the Debug tab).
 *
 * @public
 */
export const kubeTroubleshootDebugCreatePermission = createPermission({
  name: 'kube-troubleshoot.debug.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Replay terminal and debug session recordings of other users.
 *
 * A basic permission: recordings are an audit tool of the platform team, not
 * tied to one entity. Users can always replay their own sessions.
 *
 * @public
 */
export const kubeTroubleshootRecordingsReadPermission = createPermission({
  name: 'kube-troubleshoot.recordings.read',
  attributes: { action: 'read' },
});

/**
 * The permissions on a catalog entity, one per tab.
 *
 * @public
 */
export const kubeTroubleshootEntityPermissions = [
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootTerminalCreatePermission,
  kubeTroubleshootDebugCreatePermission,
];

/**
 * Every permission of the kube-troubleshoot plugin, for registration with the
 * permissions registry.
 *
 * @public
 */
export const kubeTroubleshootPermissions = [
  ...kubeTroubleshootEntityPermissions,
  kubeTroubleshootRecordingsReadPermission,
];

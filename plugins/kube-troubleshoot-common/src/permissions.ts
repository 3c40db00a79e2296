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
 * Watch, read-only, another user's terminal or debug session on the entity while it runs, once its
 * owner shares it (live join).
 *
 * @public
 */
export const kubeTroubleshootTerminalWatchPermission = createPermission({
  name: 'kube-troubleshoot.terminal.watch',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * End another user's live session while watching it (moderation).
 *
 * A basic permission, as recordings.read: it is the platform team's.
 *
 * @public
 */
export const kubeTroubleshootSessionsTerminatePermission = createPermission({
  name: 'kube-troubleshoot.sessions.terminate',
  attributes: { action: 'delete' },
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
 * The four tabs' permissions: holding any one of them on an entity lists its pods.
 *
 * @public
 */
export const kubeTroubleshootTabPermissions = [
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootTerminalCreatePermission,
  kubeTroubleshootDebugCreatePermission,
];

/**
 * The permissions on a catalog entity: one per tab, and watching a shared session.
 *
 * @public
 */
export const kubeTroubleshootEntityPermissions = [
  ...kubeTroubleshootTabPermissions,
  kubeTroubleshootTerminalWatchPermission,
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
  kubeTroubleshootSessionsTerminatePermission,
];

import { coreServices, createBackendPlugin, resolvePackagePath } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { kubeTroubleshootPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import { ClusterRegistry } from './clusters/ClusterRegistry';
import { readClusterConfig } from './clusters/readClusterConfig';
import { EntityEvents } from './events/EntityEvents';
import { createRouter } from './router';
import { TargetResolver } from './targets/TargetResolver';
import { RecordingStore } from './audit/RecordingStore';
import { readSessionConfig } from './sessions/sessionConfig';
import { SessionManager } from './sessions/SessionManager';
import { TicketStore } from './sessions/TicketStore';
import { readDebugConfig } from './debug/debugConfig';
import { reapExpiredForks } from './debug/forks';

/** The origins a browser may open terminal WebSockets from: the app's and the backend's own. */
function allowedOrigins(config: import('@backstage/config').Config): string[] {
  const origins = ['app.baseUrl', 'backend.baseUrl'].map(k => config.getOptionalString(k)).filter((u): u is string => !!u).map(u => new URL(u).origin);
  return [...new Set([...origins, ...(config.getOptionalStringArray('kubeTroubleshoot.sessions.allowedOrigins') ?? [])])];
}

/**
 * The Kube Troubleshoot backend plugin.
 *
 * @public
 */
export const kubeTroubleshootPlugin = createBackendPlugin({
  pluginId: 'kube-troubleshoot',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init({ httpRouter, httpAuth, logger, config, permissions, permissionsRegistry, auditor, database, scheduler, lifecycle, catalog }) {
        const clusterConfigs = readClusterConfig(config);
        if (!clusterConfigs.length) logger.warn('no kubeTroubleshoot.clusters configured: the tabs will show no pods');
        const sessionConfig = readSessionConfig(config);
        const debugConfig = readDebugConfig(config);
        const clusters = new ClusterRegistry(clusterConfigs);
        const targets = new TargetResolver(clusters);
        const db = await database.getClient();
        if (!database.migrations?.skip) {
          await db.migrate.latest({ directory: resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', 'migrations'), tableName: 'kt_knex_migrations' });
        }
        const tickets = new TicketStore(db);
        const recordings = new RecordingStore(db);
        const sessions = new SessionManager({ tickets, recordings, clusters, auditor, logger, config: sessionConfig });
        lifecycle.addShutdownHook(() => sessions.shutdown());
        // One replica at a time: expired tickets, and recordings past their retention.
        await scheduler.scheduleTask({
          id: 'kube-troubleshoot-retention',
          frequency: { minutes: 30 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            // retentionDays 0 keeps recordings for ever.
            const days = sessionConfig.recordings.retentionDays;
            const cutoff = new Date(Date.now() - days * 86400_000);
            const removed = days > 0 ? await recordings.deleteOlderThan(cutoff) : 0;
            const purged = await tickets.purge();
            if (removed || purged) logger.info(`retention: removed ${removed} recordings older than ${cutoff.toISOString()} and ${purged} expired tickets`);
          },
        });
        // Pod copies whose time is up, including those of a backend that died mid-session.
        await scheduler.scheduleTask({
          id: 'kube-troubleshoot-fork-reaper',
          frequency: { seconds: debugConfig.reaperIntervalSeconds },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 1 },
          fn: async () => {
            for (const client of clusters.all()) {
              try {
                for (const fork of await reapExpiredForks(client)) {
                  const event = await auditor.createEvent({ eventId: 'fork-reaped', severityLevel: 'medium', meta: { ...fork, actor: 'kube-troubleshoot' } });
                  await event.success();
                  logger.info(`deleted the expired pod copy ${fork.cluster}/${fork.namespace}/${fork.name} of ${fork.user}`);
                }
              } catch (e) {
                logger.warn(`fork reaper: cluster ${client.name}: ${(e as Error).message}`);
              }
            }
          },
        });
        permissionsRegistry.addPermissions(kubeTroubleshootPermissions);
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            auditor,
            targets,
            events: new EntityEvents(targets),
            sessions,
            recordings,
            allowedOrigins: allowedOrigins(config),
            debug: debugConfig,
          }),
        );
        // Load balancers and uptime probes call it without a Backstage token; the terminal's
        // WebSocket carries a one-time ticket instead of a token (checked by the upgrade listener).
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({ path: '/sessions/ws', allow: 'unauthenticated' });
      },
    });
  },
});

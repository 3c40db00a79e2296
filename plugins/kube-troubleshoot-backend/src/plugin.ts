import { coreServices, createBackendPlugin, resolvePackagePath } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { kubeTroubleshootPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import { pluginPermissions } from './access/permissionFramework';
import { registerActions } from './actions/registerActions';
import { RecordingStore } from './audit/RecordingStore';
import { applyRetention } from './audit/retentionTask';
import { ClusterRegistry } from './clusters/ClusterRegistry';
import { readClusterConfig } from './clusters/readClusterConfig';
import { readDebugConfig } from './debug/debugConfig';
import { DebugService } from './debug/DebugService';
import { EntityEvents } from './events/EntityEvents';
import { EntityDiagnosis } from './events/EntityDiagnosis';
import { previousLogTail } from './logs/streamLogs';
import { EntityMetrics } from './metrics/EntityMetrics';
import { MetricsHistory } from './metrics/MetricsHistory';
import { readMetricsConfig } from './metrics/metricsConfig';
import { createRouter } from './router';
import { readSessionConfig } from './sessions/sessionConfig';
import { SESSION_WS_PATH, SessionManager } from './sessions/SessionManager';
import { registerWebSocketRoute, WebSocketCapableRouter } from './sessions/upgradeListener';
import { TicketStore } from './sessions/TicketStore';
import { SessionLedger } from './sessions/SessionLedger';
import { AttachTokens } from './sessions/AttachTokens';
import { replicaUrl } from './sessions/replicaUrl';
import { auditLostSessions } from './sessions/lostSessions';
import { TargetResolver } from './targets/TargetResolver';
import { withStartupLock } from './database/startupLock';

/** The origins a browser may open terminal WebSockets from: the app's and the backend's own. */
function allowedOrigins(config: Config): string[] {
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
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({ httpRouter, httpAuth, logger, config, permissions, permissionsRegistry, auditor, database, scheduler, lifecycle, catalog, actionsRegistry }) {
        const clusterConfigs = readClusterConfig(config, message => logger.warn(message));
        if (!clusterConfigs.length) logger.warn('no clusters configured (kubeTroubleshoot.clusters, or kubernetes.clusterLocatorMethods of type config): the tabs will show no pods');
        const sessionConfig = readSessionConfig(config);
        const debugConfig = readDebugConfig(config);
        const clusters = new ClusterRegistry(clusterConfigs);
        const targets = new TargetResolver(clusters);
        const db = await database.getClient();
        const tickets = new TicketStore(db);
        const recordings = new RecordingStore(db);
        const ledger = new SessionLedger(db, undefined, replicaUrl(config));
        const attachTokens = new AttachTokens(db);
        const sessions = new SessionManager({ tickets, attachTokens, ledger, recordings, clusters, auditor, httpAuth, logger, config: sessionConfig, allowedOrigins: allowedOrigins(config) });
        const debug = new DebugService({ targets, sessions, config: debugConfig, productionShell: sessionConfig.production, auditor, logger });

        // Replicas starting together take turns: the migrations, and the scheduler's own on its first task.
        await withStartupLock(db, async () => {
          if (!database.migrations?.skip) {
            await db.migrate.latest({ directory: resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', 'migrations'), tableName: 'kt_knex_migrations' });
          }
          // Scheduled tasks run on one replica at a time (the scheduler's database lock).
          await scheduler.scheduleTask({
            id: 'kube-troubleshoot-retention',
            frequency: { minutes: 30 },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 30 },
            fn: async () => void (await applyRetention({ recordings, tickets: { purge: async () => (await tickets.purge()) + (await attachTokens.purge()) }, logger }, sessionConfig.recordings.retentionDays)),
          });
          // A replica that dies mid-session leaves its sessions and recordings open: another closes them.
          await scheduler.scheduleTask({
            id: 'kube-troubleshoot-lost-sessions',
            frequency: { seconds: 10 },
            timeout: { seconds: 30 },
            initialDelay: { seconds: 5 },
            fn: () => auditLostSessions({ ledger, auditor, logger }),
          });
          await scheduler.scheduleTask({
            id: 'kube-troubleshoot-fork-reaper',
            frequency: { seconds: debugConfig.reaperIntervalSeconds },
            // The lock of a replica killed mid-run holds until this timeout: short, the run takes a second.
            timeout: { seconds: Math.max(10, 2 * debugConfig.reaperIntervalSeconds) },
            initialDelay: { seconds: 1 },
            fn: () => debug.reapExpired(),
          });
        });
        await sessions.start();
        lifecycle.addShutdownHook(() => sessions.shutdown());

        permissionsRegistry.addPermissions(kubeTroubleshootPermissions);
        const access = pluginPermissions(config, permissions);
        if (!access.frameworkOn) {
          logger.warn('permission.enabled is not true: Logs and Events are open to every signed-in user; Terminal, Debug and other users\' recordings are refused until the permission framework is on with a policy');
        }
        const events = new EntityEvents(targets);
        const metricsConfig = readMetricsConfig(config);
        const history = new MetricsHistory(metricsConfig);
        lifecycle.addShutdownHook(() => history.stop());
        const metrics = new EntityMetrics({ targets, history, ...metricsConfig });
        const diagnosis = new EntityDiagnosis({
          targets,
          events,
          previousLogTail: (c, ns, pod, container) => previousLogTail(c, ns, pod, container),
          memoryHistory: (cluster, ns, pod, containers) => Object.fromEntries(containers.map(c => [c, history.history(cluster, ns, pod, c)])),
        });
        registerActions({ actionsRegistry, catalog, permissions: access.permissions, denialNote: access.denialNote, auditor, logger, targets, events, diagnosis });
        const webSocketRoute = registerWebSocketRoute(httpRouter as WebSocketCapableRouter, SESSION_WS_PATH, { connect: attempt => sessions.connect(attempt) });
        httpRouter.use(await createRouter({
          listenForUpgrades: !webSocketRoute,
          httpAuth,
          permissions: access.permissions,
          denialNote: access.denialNote,
          catalog, auditor, logger, targets, events, diagnosis, metrics, sessions, recordings, debug,
        }));
        // Load balancers and uptime probes call it without a Backstage token; the terminal's
        // WebSocket carries a one-time ticket and the user's token in its subprotocols instead.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({ path: '/sessions/ws', allow: 'unauthenticated' });
      },
    });
  },
});

import { HealthResponse } from '@kube-troubleshoot/backstage-plugin-common';
import express from 'express';
import Router from 'express-promise-router';
import { createRecordingsRouter } from './audit/recordingsRouter';
import { RecordingStore } from './audit/RecordingStore';
import { createDebugRouter } from './debug/debugRouter';
import { DebugService } from './debug/DebugService';
import { EntityDiagnosis } from './events/EntityDiagnosis';
import { EntityEvents, WatchTuning } from './events/EntityEvents';
import { createEventsRouter } from './events/eventsRouter';
import { errorMiddleware } from './http/errorMiddleware';
import { createRouteHandlers, RouteDeps } from './http/routeHandlers';
import { createLogsRouter } from './logs/logsRouter';
import { EntityMetrics } from './metrics/EntityMetrics';
import { createMetricsRouter } from './metrics/metricsRouter';
import { StreamTuning } from './logs/streamLogs';
import { SessionManager } from './sessions/SessionManager';
import { createSessionsRouter } from './sessions/sessionsRouter';
import { createPodsRouter } from './targets/podsRouter';
import { TargetResolver } from './targets/TargetResolver';

export interface RouterOptions extends RouteDeps {
  targets: TargetResolver;
  events: EntityEvents;
  diagnosis: EntityDiagnosis;
  metrics: EntityMetrics;
  sessions: SessionManager;
  recordings: RecordingStore;
  debug: DebugService;
  tuning?: StreamTuning & WatchTuning;
  /** False when the backend's own WebSocket routes serve the session socket (registerWebSocketRoute). */
  listenForUpgrades?: boolean;
}

/**
 * The plugin's HTTP API under `/api/kube-troubleshoot`: one router per concern, each route through
 * the one helper that authenticates, validates, authorizes with the entity and audits, and errors
 * through the one error middleware.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const routes = createRouteHandlers(options);
  const { targets, tuning } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    const body: HealthResponse = { status: 'ok' };
    res.json(body);
  });
  router.use(createSessionsRouter({ routes, targets, sessions: options.sessions, permissions: options.permissions, listenForUpgrades: options.listenForUpgrades ?? true }));
  router.use(createPodsRouter({ routes, targets }));
  router.use(createLogsRouter({ routes, targets, tuning }));
  router.use(createEventsRouter({ routes, events: options.events, diagnosis: options.diagnosis, tuning }));
  router.use(createMetricsRouter({ routes, metrics: options.metrics }));
  router.use(createDebugRouter({ routes, targets, debug: options.debug }));
  router.use(createRecordingsRouter({ routes, permissions: options.permissions, recordings: options.recordings }));
  router.use(errorMiddleware(options.logger));
  return router;
}

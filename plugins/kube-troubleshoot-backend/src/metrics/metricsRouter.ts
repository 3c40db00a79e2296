import { EntityMetricsResponse, kubeTroubleshootEventsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { RouteHandlers } from '../http/routeHandlers';
import { EntityMetrics } from './EntityMetrics';

/** `GET .../metrics`: CPU and memory beside the diagnosis, so under the same events.read. */
export function createMetricsRouter(deps: { routes: RouteHandlers; metrics: EntityMetrics }) {
  const router = Router();
  router.get(
    '/entities/:kind/:namespace/:name/metrics',
    deps.routes.entity({ eventId: 'metrics-read', permission: kubeTroubleshootEventsReadPermission }, async ({ entity, res, signal }) => {
      const body: EntityMetricsResponse = await deps.metrics.read(entity, signal);
      res.json(body);
      return { pods: body.pods.length };
    }),
  );
  return router;
}

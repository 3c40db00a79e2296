import { EntityDiagnosisResponse, EntityEventsResponse, kubeTroubleshootEventsReadPermission, kubeTroubleshootLogsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { z } from 'zod/v4';
import { RouteHandlers } from '../http/routeHandlers';
import { NDJSON_HEADERS, streamWriter } from '../http/streaming';
import { queryBoolean } from '../http/validation';
import { EntityDiagnosis } from './EntityDiagnosis';
import { EntityEvents, WatchTuning } from './EntityEvents';

const eventsQuery = z.strictObject({ watch: queryBoolean.default(false) });

/**
 * `GET .../events` (a list, or with `watch` NDJSON of EventStreamMessage) and `GET .../diagnosis`,
 * under events.read; the diagnosis quotes a crashed container's log only to holders of logs.read.
 */
export function createEventsRouter(deps: { routes: RouteHandlers; events: EntityEvents; diagnosis: EntityDiagnosis; tuning?: WatchTuning }) {
  const { routes, events } = deps;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/events',
    routes.entity(
      { eventId: 'events-read', permission: kubeTroubleshootEventsReadPermission, query: eventsQuery, meta: ({ query }) => ({ watch: query.watch }) },
      async ({ entity, query, res, signal, audit }) => {
        if (!query.watch) {
          const body: EntityEventsResponse = await events.list(entity, signal);
          res.json(body);
          return { events: body.events.length };
        }
        await audit.begin();
        res.writeHead(200, NDJSON_HEADERS);
        res.flushHeaders();
        const write = streamWriter(res);
        await events.watch(entity, m => write(`${JSON.stringify(m)}\n`), signal, deps.tuning);
        res.end();
        return undefined;
      },
    ),
  );

  router.get(
    '/entities/:kind/:namespace/:name/diagnosis',
    routes.entity({ eventId: 'diagnosis-read', permission: kubeTroubleshootEventsReadPermission }, async ({ entity, res, signal, can }) => {
      const readsLogs = await can(kubeTroubleshootLogsReadPermission);
      const body: EntityDiagnosisResponse = await deps.diagnosis.diagnose(entity, { readsLogs }, signal);
      res.json(body);
      return { pods: body.pods.length, logLines: readsLogs };
    }),
  );

  return router;
}

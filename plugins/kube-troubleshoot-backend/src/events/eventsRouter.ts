import { EntityDiagnosisResponse, EntityEventsResponse, kubeTroubleshootEventsReadPermission, kubeTroubleshootLogsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { z } from 'zod/v4';
import { KubeApi } from '../clusters/KubeClient';
import { RouteHandlers } from '../http/routeHandlers';
import { NDJSON_HEADERS, streamWriter } from '../http/streaming';
import { queryBoolean } from '../http/validation';
import { TargetResolver } from '../targets/TargetResolver';
import { diagnosePod } from './diagnosePod';
import { EntityEvents, WatchTuning } from './EntityEvents';

/** The last lines of a container's previous run (the logs module reads them). */
export type PreviousLogTail = (client: KubeApi, namespace: string, pod: string, container: string) => Promise<string[]>;

const eventsQuery = z.strictObject({ watch: queryBoolean.default(false) });

/**
 * `GET .../events` (a list, or with `watch` NDJSON of EventStreamMessage) and `GET .../diagnosis`,
 * under events.read; the diagnosis quotes a crashed container's log only to holders of logs.read.
 */
export function createEventsRouter(deps: { routes: RouteHandlers; targets: TargetResolver; events: EntityEvents; previousLogTail: PreviousLogTail; tuning?: WatchTuning }) {
  const { routes, targets, events } = deps;
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
      const [{ pods, clusterErrors }, eventList, readsLogs] = await Promise.all([
        targets.listPods(entity, undefined, signal),
        events.list(entity, signal),
        can(kubeTroubleshootLogsReadPermission),
      ]);
      const body: EntityDiagnosisResponse = {
        pods: await Promise.all(
          pods.map(async ({ client, pod }) => {
            const podEvents = eventList.events.filter(e => e.cluster === client.name && e.object.kind === 'Pod' && e.object.name === pod.metadata.name);
            let previousLogTail: Record<string, string[]> | undefined;
            if (readsLogs) {
              previousLogTail = {};
              for (const s of pod.status?.containerStatuses ?? []) {
                if (s.restartCount > 0 && !s.state?.running) previousLogTail[s.name] = await deps.previousLogTail(client, pod.metadata.namespace ?? 'default', pod.metadata.name, s.name);
              }
            }
            return diagnosePod({ cluster: client.name, pod, events: podEvents, previousLogTail });
          }),
        ),
        clusterErrors: [...clusterErrors, ...eventList.clusterErrors],
      };
      res.json(body);
      return { pods: pods.length, logLines: readsLogs };
    }),
  );

  return router;
}

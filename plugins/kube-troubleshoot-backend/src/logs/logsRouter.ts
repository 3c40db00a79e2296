import { kubeTroubleshootLogsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { RouteHandlers } from '../http/routeHandlers';
import { attachmentHeader, NDJSON_HEADERS, streamWriter } from '../http/streaming';
import { TargetResolver } from '../targets/TargetResolver';
import { ndjsonFormat, textFormat } from './logFraming';
import { logFileName, logSources } from './logSources';
import { logsQuery } from './logsQuery';
import { LogSink, streamLogs, StreamTuning } from './streamLogs';

/** `GET .../logs`: NDJSON of LogStreamMessage, or with `download` the whole log as a text file. */
export function createLogsRouter(deps: { routes: RouteHandlers; targets: TargetResolver; tuning?: StreamTuning }) {
  const { routes, targets } = deps;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/logs',
    routes.entity(
      {
        eventId: 'logs-read',
        permission: kubeTroubleshootLogsReadPermission,
        query: logsQuery(() => targets.clusterNames()),
        meta: ({ query: q }) => ({ cluster: q.cluster ?? null, pod: q.pod ?? null, container: q.container ?? null, follow: q.follow, previous: q.previous, download: q.download }),
      },
      async ({ entity, query: q, res, signal, audit }) => {
        const sources = await logSources(targets, entity, q, signal);
        const write = streamWriter(res);
        const format = q.download ? textFormat({ timestamps: q.timestamps, tagged: sources.length > 1 }) : ndjsonFormat;
        let started = false;
        // Headers go with the first batch: a single source that fails first is still an HTTP error.
        const start = async () => {
          if (started) return;
          started = true;
          await audit.begin();
          if (q.download) res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': attachmentHeader(logFileName(entity, q)) });
          else res.writeHead(200, NDJSON_HEADERS);
          res.flushHeaders();
        };
        const sink: LogSink = {
          async write(text) {
            if (!started) await start();
            return write(text);
          },
        };
        if (!sources.length) {
          await sink.write(format.message({ type: 'notice', message: 'the entity has no pods (or none with that container) in the configured clusters' }) + format.message({ type: 'end' }));
        } else {
          await streamLogs(sources, { follow: q.follow && !q.download, previous: q.previous, tailLines: q.tailLines, sinceSeconds: q.sinceSeconds, sinceTime: q.sinceTime, untilTime: q.untilTime }, format, sink, signal, deps.tuning);
        }
        await start();
        res.end();
        return { containers: sources.length };
      },
    ),
  );

  return router;
}

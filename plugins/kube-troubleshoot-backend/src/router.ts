import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  EntityDiagnosisResponse,
  EntityPodsResponse,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  LogStreamMessage,
} from '@kube-troubleshoot/backstage-plugin-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { JsonObject } from '@backstage/types';
import { authorizeEntity } from './access/authorizeEntity';
import { ObjectMeta } from './clusters/kubeTypes';
import { diagnosePod } from './diagnosis/diagnosePod';
import { EntityEvents } from './events/EntityEvents';
import { LogSource, readHistory, streamLogs, StreamTuning } from './logs/streamLogs';
import { readLogsQuery } from './logs/readLogsQuery';
import { summarizePod } from './targets/podSummary';
import { TargetResolver } from './targets/TargetResolver';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  targets: TargetResolver;
  events: EntityEvents;
  tuning?: StreamTuning;
}

/** Writes to a streaming response, waiting for 'drain' when the client is slower than the cluster. */
function streamWriter(res: Response) {
  return (text: string): Promise<void> => {
    if (res.writableEnded || res.destroyed) return Promise.resolve();
    if (res.write(text)) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
}

/** An AbortSignal that fires when the client goes away before the response finished. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * The plugin's HTTP routes, mounted under `/api/kube-troubleshoot`. Every entity route checks the
 * caller's permission on that entity and proves pods and containers belong to it.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, permissions, catalog, auditor, targets, events } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Authenticates, audits and authorizes one entity request, then runs `work`. */
  async function entityRoute(
    req: Request,
    eventId: string,
    permission: ResourcePermission<'catalog-entity'>,
    meta: JsonObject,
    work: (entity: Awaited<ReturnType<typeof authorizeEntity>>) => Promise<JsonObject | void>,
  ) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = `${req.params.kind}:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase('en-US');
    const audit = await auditor.createEvent({ eventId, request: req, meta: { entityRef, ...meta } });
    try {
      const entity = await authorizeEntity({ permissions, catalog }, credentials, entityRef, permission);
      const extra = await work(entity);
      await audit.success(extra ? { meta: extra } : undefined);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  const base = '/entities/:kind/:namespace/:name';

  router.get(`${base}/pods`, async (req, res) => {
    await entityRoute(req, 'pods-read', kubeTroubleshootLogsReadPermission, {}, async entity => {
      const { pods, clusterErrors } = await targets.listPods(entity);
      const cache = new Map<string, ObjectMeta | null>();
      const body: EntityPodsResponse = {
        pods: await Promise.all(pods.map(async p => summarizePod(p.client.name, p.pod, await targets.ownerChain(p.client, p.pod.metadata, cache)))),
        clusterErrors,
      };
      res.json(body);
      return { pods: pods.length };
    });
  });

  router.get(`${base}/logs`, async (req, res) => {
    const q = readLogsQuery(req.query as Record<string, unknown>);
    const meta = { cluster: q.cluster ?? null, pod: q.pod ?? null, container: q.container ?? null, follow: q.follow, previous: q.previous, download: q.download };
    await entityRoute(req, 'logs-read', kubeTroubleshootLogsReadPermission, meta, async entity => {
      const signal = clientGone(res);
      let sources: LogSource[];
      if (q.pod) {
        const { client, pod } = await targets.findPod(entity, q.cluster, q.pod, signal);
        if (q.container) TargetResolver.checkContainer(pod, q.container);
        const names = q.container ? [q.container] : pod.spec.containers.map(c => c.name);
        sources = names.map(container => ({ client, namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container }));
      } else {
        if (q.previous) throw new InputError('previous needs a pod (and container): the previous run is per container');
        const { pods } = await targets.listPods(entity, q.cluster, signal);
        sources = pods.flatMap(({ client, pod }) =>
          pod.spec.containers
            .filter(c => !q.container || c.name === q.container)
            .map(c => ({ client, namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container: c.name })),
        );
      }
      const write = streamWriter(res);
      let started = false;
      const start = () => {
        if (started) return;
        started = true;
        if (q.download) {
          const file = `${entity.metadata.name}${q.pod ? `-${q.pod}` : ''}${q.container ? `-${q.container}` : ''}.log`;
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': `attachment; filename="${file}"` });
        } else {
          res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
        }
        res.flushHeaders();
      };
      const tagged = sources.length > 1;
      const asText = (m: LogStreamMessage) => {
        if (m.type === 'line') return `${q.timestamps ? `${m.timestamp} ` : ''}${tagged ? `[${m.pod}/${m.container}] ` : ''}${m.text}\n`;
        return m.type === 'error' ? `# error: ${m.message}\n` : '';
      };
      const sink = {
        write(batch: LogStreamMessage[]) {
          start();
          return write(batch.map(m => (q.download ? asText(m) : `${JSON.stringify(m)}\n`)).join(''));
        },
      };
      if (!sources.length) {
        await sink.write([{ type: 'notice', message: 'the entity has no pods (or none with that container) in the configured clusters' }, { type: 'end' }]);
      } else {
        await streamLogs(sources, { follow: q.follow && !q.download, previous: q.previous, tailLines: q.tailLines, sinceSeconds: q.sinceSeconds, sinceTime: q.sinceTime }, sink, signal, options.tuning);
      }
      res.end();
      return { containers: sources.length };
    });
  });

  router.get(`${base}/events`, async (req, res) => {
    const watch = req.query.watch === 'true' || req.query.watch === '1';
    await entityRoute(req, 'events-read', kubeTroubleshootEventsReadPermission, { watch }, async entity => {
      if (!watch) {
        res.json(await events.list(entity));
        return undefined;
      }
      const signal = clientGone(res);
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      const write = streamWriter(res);
      await events.watch(entity, m => write(`${JSON.stringify(m)}\n`), signal, options.tuning);
      res.end();
      return undefined;
    });
  });

  router.get(`${base}/diagnosis`, async (req, res) => {
    await entityRoute(req, 'diagnosis-read', kubeTroubleshootEventsReadPermission, {}, async entity => {
      const [{ pods, clusterErrors }, eventList] = await Promise.all([targets.listPods(entity), events.list(entity)]);
      const body: EntityDiagnosisResponse = {
        pods: await Promise.all(
          pods.map(async ({ client, pod }) => {
            const podEvents = eventList.events.filter(e => e.cluster === client.name && e.object.kind === 'Pod' && e.object.name === pod.metadata.name);
            const previousLogTail: Record<string, string[]> = {};
            for (const s of pod.status?.containerStatuses ?? []) {
              if (s.restartCount > 0 && !s.state?.running) previousLogTail[s.name] = await lastLines(client, pod.metadata.namespace ?? 'default', pod.metadata.name, s.name);
            }
            return diagnosePod({ cluster: client.name, pod, events: podEvents, previousLogTail });
          }),
        ),
        clusterErrors: [...clusterErrors, ...eventList.clusterErrors],
      };
      res.json(body);
      return { pods: pods.length };
    });
  });

  return router;
}

/** The last lines of a container's previous run; empty when it has none or it cannot be read. */
async function lastLines(client: LogSource['client'], namespace: string, pod: string, container: string): Promise<string[]> {
  try {
    const lines = await readHistory({ client, namespace, pod, container }, { follow: false, previous: true, tailLines: 10 });
    return lines.map(l => l.text);
  } catch {
    return [];
  }
}

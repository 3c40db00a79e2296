import {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import http from 'node:http';
import { Socket } from 'node:net';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  CreateSessionRequest,
  EntityDiagnosisResponse,
  EntityPodsResponse,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootTerminalCreatePermission,
  LogStreamMessage,
  RecordingListResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { JsonObject } from '@backstage/types';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { authorizeEntity } from './access/authorizeEntity';
import { ObjectMeta } from './clusters/kubeTypes';
import { diagnosePod } from './diagnosis/diagnosePod';
import { EntityEvents } from './events/EntityEvents';
import { LogSource, readHistory, streamLogs, StreamTuning } from './logs/streamLogs';
import { readLogsQuery } from './logs/readLogsQuery';
import { summarizePod } from './targets/podSummary';
import { TargetResolver } from './targets/TargetResolver';
import { SESSION_WS_PATH, SessionLimitError, SessionManager } from './sessions/SessionManager';
import { attachUpgradeListener } from './sessions/upgradeListener';
import { RecordingStore } from './audit/RecordingStore';
import { chooseDebugTarget, DebugConfig, offeredProfiles } from './debug/debugConfig';
import { DebugStartError, reusableDebugContainer, startDebugContainer } from './debug/EphemeralDebugger';
import { createFork, deleteFork, forkOwner, summarizeFork } from './debug/forks';
import { checkContainerPath, streamTar } from './debug/fileDownload';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  targets: TargetResolver;
  events: EntityEvents;
  tuning?: StreamTuning;
  sessions: SessionManager;
  recordings: RecordingStore;
  /** Origins that may open terminal WebSockets (the app's). */
  allowedOrigins: string[];
  debug: DebugConfig;
}

/** Writes to a streaming response, waiting for 'drain' when the client is slower than the cluster. */
function streamWriter(res: Response) {
  return (text: string | Buffer): Promise<void> => {
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
  router.use(express.json({ limit: '16kb' }));

  // Terminal WebSockets: a path-filtered upgrade listener on the server this router is served by,
  // attached on the first request (POST /sessions always comes before its WebSocket).
  router.use((req, _res, next) => {
    const server = (req.socket as Socket & { server?: http.Server }).server;
    if (server) {
      attachUpgradeListener(server, {
        path: `${req.baseUrl}${SESSION_WS_PATH}`,
        allowedOrigins: options.allowedOrigins,
        redeem: ticket => options.sessions.redeem(ticket),
      });
    }
    next();
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Authenticates, audits and authorizes one entity request, then runs `work`. */
  async function entityRoute(
    req: Request,
    eventId: string,
    permission: ResourcePermission<'catalog-entity'>,
    meta: JsonObject,
    work: (entity: Awaited<ReturnType<typeof authorizeEntity>>, credentials: BackstageCredentials<BackstageUserPrincipal>) => Promise<JsonObject | void>,
  ) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = `${req.params.kind}:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase('en-US');
    const audit = await auditor.createEvent({ eventId, request: req, meta: { entityRef, ...meta } });
    try {
      const entity = await authorizeEntity({ permissions, catalog }, credentials, entityRef, permission);
      const extra = await work(entity, credentials);
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

  router.post(`${base}/sessions`, async (req, res) => {
    const body = (req.body ?? {}) as Partial<CreateSessionRequest>;
    for (const key of ['cluster', 'pod', 'container'] as const) {
      if (typeof body[key] !== 'string' || !body[key]) throw new InputError(`the request body needs "${key}" (a string): {"cluster", "pod", "container"}`);
    }
    const meta = { cluster: body.cluster!, pod: body.pod!, container: body.container! };
    await entityRoute(req, 'terminal-ticket', kubeTroubleshootTerminalCreatePermission, meta, async (entity, credentials) => {
      const { client, pod } = await targets.findPodOrFork(entity, body.cluster, body.pod!);
      TargetResolver.checkContainer(pod, body.container!);
      const status = pod.status?.containerStatuses?.find(c => c.name === body.container);
      if (!status?.state?.running) {
        const why = status?.state?.waiting?.reason ?? (status?.state?.terminated ? `terminated: ${status.state.terminated.reason ?? 'exited'}` : 'not started');
        throw new ConflictError(`container ${body.container} of pod ${pod.metadata.name} is not running (${why}): a shell needs a running container; the Debug tab can inspect it`);
      }
      try {
        const answer = await options.sessions.issue(
          credentials.principal.userEntityRef,
          {
            kind: 'terminal',
            entityRef: stringifyEntityRef(entity),
            cluster: client.name,
            namespace: pod.metadata.namespace ?? 'default',
            pod: pod.metadata.name,
            container: body.container!,
          },
          req.baseUrl,
        );
        res.status(201).json(answer);
      } catch (e) {
        if (!(e instanceof SessionLimitError)) throw e;
        res.status(429).json({ error: { name: e.name, message: e.message }, response: { statusCode: 429 } });
      }
      return { issued: res.statusCode === 201 };
    });
  });

  /** Sends a ticket, or the 429 of a session limit. */
  async function issueTicket(res: Response, issue: () => Promise<unknown>, extra: JsonObject = {}) {
    try {
      res.status(201).json({ ...(await issue() as JsonObject), ...extra });
    } catch (e) {
      if (!(e instanceof SessionLimitError)) throw e;
      res.status(429).json({ error: { name: e.name, message: e.message }, response: { statusCode: 429 } });
    }
  }

  /** What the Debug tab may offer on each of the entity's clusters. */
  router.get(`${base}/debug/options`, async (req, res) => {
    await entityRoute(req, 'debug-options', kubeTroubleshootDebugCreatePermission, {}, async () => {
      res.json({
        images: options.debug.images.map(i => ({ name: i.name, image: i.image, description: i.description, default: i.default })),
        clusters: Object.fromEntries(
          targets.clusters().map(c => [c.name, { production: c.production, profiles: offeredProfiles(options.debug, c.name, c.production) }]),
        ),
        forkTtlSeconds: options.debug.forkTtlSeconds,
      });
    });
  });

  /**
   * A tool container in the target container's namespaces (an ephemeral container), then a ticket
   * to attach to it; a running one of the same user, target and image is attached to again.
   */
  router.post(`${base}/debug`, async (req, res) => {
    const body = (req.body ?? {}) as { cluster?: string; pod?: string; targetContainer?: string; image?: string; profile?: string; reuse?: boolean };
    for (const key of ['cluster', 'pod', 'targetContainer'] as const) {
      if (typeof body[key] !== 'string' || !body[key]) throw new InputError(`the request body needs "${key}" (a string): {"cluster", "pod", "targetContainer", "image", "profile"}`);
    }
    const meta = { cluster: body.cluster!, pod: body.pod!, container: body.targetContainer!, image: body.image ?? null, profile: body.profile ?? null };
    await entityRoute(req, 'debug-container', kubeTroubleshootDebugCreatePermission, meta, async (entity, credentials) => {
      const { client, pod } = await targets.findPod(entity, body.cluster, body.pod!);
      TargetResolver.checkContainer(pod, body.targetContainer!);
      const production = targets.clusters().find(c => c.name === client.name)?.production ?? false;
      const choice = chooseDebugTarget(options.debug, { image: body.image, profile: body.profile }, { name: client.name, production });
      if (!choice.ok) throw new InputError(choice.message);
      const userRef = credentials.principal.userEntityRef;
      let container = body.reuse === false ? undefined : reusableDebugContainer(pod, userRef, body.targetContainer!, choice.image.image);
      const reused = Boolean(container);
      if (!container) {
        try {
          container = await startDebugContainer(client, pod, {
            target: body.targetContainer!,
            image: choice.image.image,
            profile: choice.profile,
            userRef,
            timeoutMs: options.debug.startTimeoutSeconds * 1000,
          });
        } catch (e) {
          if (e instanceof DebugStartError) {
            res.status(e.statusCode).json({ error: { name: 'DebugStartError', message: e.message }, response: { statusCode: e.statusCode } });
            return { started: false };
          }
          throw e;
        }
      }
      const namespace = pod.metadata.namespace ?? 'default';
      await issueTicket(
        res,
        () => options.sessions.issue(userRef, { kind: 'debug', entityRef: stringifyEntityRef(entity), cluster: client.name, namespace, pod: pod.metadata.name, container: container!, attach: true }, req.baseUrl),
        {
          container: container!,
          reused,
          image: choice.image.image,
          profile: choice.profile,
          note: 'Ephemeral containers cannot be removed: this one stays in the pod spec (terminated) until the pod is replaced.',
        },
      );
      return { debugContainer: container!, reused, profile: choice.profile, image: choice.image.image };
    });
  });

  /**
   * A copy of a pod whose container's command is replaced by a sleep (for crash loops and images
   * without a shell), then a ticket to a shell in it; the copy goes when the session ends.
   */
  router.post(`${base}/forks`, async (req, res) => {
    const body = (req.body ?? {}) as { cluster?: string; pod?: string; container?: string };
    for (const key of ['cluster', 'pod', 'container'] as const) {
      if (typeof body[key] !== 'string' || !body[key]) throw new InputError(`the request body needs "${key}" (a string): {"cluster", "pod", "container"}`);
    }
    const meta = { cluster: body.cluster!, pod: body.pod!, container: body.container! };
    await entityRoute(req, 'fork-created', kubeTroubleshootDebugCreatePermission, meta, async (entity, credentials) => {
      const { client, pod } = await targets.findPod(entity, body.cluster, body.pod!);
      if (!pod.spec.containers.some(c => c.name === body.container)) throw new InputError(`container ${body.container} is not valid for pod ${pod.metadata.name}`);
      const userRef = credentials.principal.userEntityRef;
      const mine = (await targets.listForks(entity)).filter(f => forkOwner(f.pod) === userRef && !f.pod.metadata.deletionTimestamp);
      if (mine.length >= options.debug.maxForksPerUser) {
        const names = mine.map(f => f.pod.metadata.name).join(', ');
        res.status(429).json({ error: { name: 'TooManyRequestsError', message: `you already have ${mine.length} pod copies of ${entity.metadata.name} (kubeTroubleshoot.debug.maxForksPerUser = ${options.debug.maxForksPerUser}): delete one first (${names})` }, response: { statusCode: 429 } });
        return { created: false };
      }
      let fork;
      try {
        fork = await createFork(client, pod, {
          container: body.container!,
          userRef,
          entityRef: stringifyEntityRef(entity),
          ttlSeconds: options.debug.forkTtlSeconds,
          sameNode: options.debug.forkSameNode,
          timeoutMs: options.debug.startTimeoutSeconds * 1000,
        });
      } catch (e) {
        if (!(e instanceof DebugStartError)) throw e;
        res.status(e.statusCode).json({ error: { name: 'DebugStartError', message: e.message }, response: { statusCode: e.statusCode } });
        return { created: false };
      }
      const summary = summarizeFork(client.name, fork);
      await issueTicket(
        res,
        () =>
          options.sessions.issue(
            userRef,
            { kind: 'debug', entityRef: stringifyEntityRef(entity), cluster: client.name, namespace: summary.namespace, pod: summary.name, container: body.container!, deletePodOnEnd: true },
            req.baseUrl,
          ),
        {
          fork: summary as unknown as JsonObject,
          originalCommand: (() => {
            const c = pod.spec.containers.find(x => x.name === body.container) as { command?: string[]; args?: string[] } | undefined;
            return [...(c?.command ?? []), ...(c?.args ?? [])];
          })(),
        },
      );
      return { fork: summary.name, expiresAt: summary.expiresAt };
    });
  });

  router.get(`${base}/forks`, async (req, res) => {
    await entityRoute(req, 'forks-list', kubeTroubleshootDebugCreatePermission, {}, async (entity, credentials) => {
      const userRef = credentials.principal.userEntityRef;
      const forks = (await targets.listForks(entity)).filter(f => forkOwner(f.pod) === userRef).map(f => summarizeFork(f.client.name, f.pod));
      res.json({ items: forks });
    });
  });

  router.delete(`${base}/forks/:fork`, async (req, res) => {
    const cluster = typeof req.query.cluster === 'string' ? req.query.cluster : undefined;
    await entityRoute(req, 'fork-deleted', kubeTroubleshootDebugCreatePermission, { pod: req.params.fork, cluster: cluster ?? null }, async (entity, credentials) => {
      const fork = (await targets.listForks(entity, cluster)).find(f => f.pod.metadata.name === req.params.fork);
      if (!fork || forkOwner(fork.pod) !== credentials.principal.userEntityRef) {
        throw new NotFoundError(`no pod copy ${req.params.fork} of yours for ${stringifyEntityRef(entity)}`);
      }
      await deleteFork(fork.client, fork.pod.metadata.namespace ?? 'default', fork.pod.metadata.name);
      res.status(204).end();
      return { deleted: fork.pod.metadata.name };
    });
  });

  /**
   * A tar of a file or folder of a container. A container without tar (distroless) is read through a
   * short-lived debug container in its process namespace, at /proc/1/root.
   */
  router.get(`${base}/files`, async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    for (const key of ['cluster', 'pod', 'container', 'path'] as const) {
      if (!q[key]) throw new InputError(`the query needs ${key}: ?cluster=&pod=&container=&path=`);
    }
    const file = checkContainerPath(q.path);
    if (!file.ok) throw new InputError(file.message);
    const meta = { cluster: q.cluster!, pod: q.pod!, container: q.container!, path: q.path! };
    await entityRoute(req, 'file-download', kubeTroubleshootDebugCreatePermission, meta, async (entity, credentials) => {
      const { client, pod } = await targets.findPodOrFork(entity, q.cluster, q.pod!);
      TargetResolver.checkContainer(pod, q.container!);
      const namespace = pod.metadata.namespace ?? 'default';
      const signal = clientGone(res);
      const write = streamWriter(res);
      const sink = {
        start: () => {
          res.writeHead(200, { 'Content-Type': 'application/x-tar', 'Content-Disposition': `attachment; filename="${file.base.replace(/["\\]/g, '_')}.tar"` });
        },
        write: (chunk: Buffer) => write(chunk),
      };
      let via = 'tar in the container';
      let result = await streamTar(client, { namespace, pod: pod.metadata.name, container: q.container! }, file, sink, { maxBytes: options.debug.fileMaxBytes, signal });
      if (!result.ok && result.missingTar) {
        const production = targets.clusters().find(c => c.name === client.name)?.production ?? false;
        const choice = chooseDebugTarget(options.debug, {}, { name: client.name, production });
        if (!choice.ok) throw new InputError(choice.message);
        const helper = await startDebugContainer(client, pod, {
          target: q.container!,
          image: choice.image.image,
          profile: choice.profile,
          userRef: credentials.principal.userEntityRef,
          timeoutMs: options.debug.startTimeoutSeconds * 1000,
          command: ['sleep', '300'],
        });
        via = `debug container ${helper} at /proc/1/root`;
        result = await streamTar(client, { namespace, pod: pod.metadata.name, container: helper }, file, sink, { maxBytes: options.debug.fileMaxBytes, root: '/proc/1/root', signal });
      }
      if (!result.ok) {
        if (result.started) res.destroy(); // the archive was cut: the download fails rather than end short
        else res.status(result.status).json({ error: { name: 'FileDownloadError', message: result.message }, response: { statusCode: result.status } });
        throw Object.assign(new Error(result.message), { handled: true });
      }
      res.end();
      return { bytes: result.bytes, via };
    }).catch(e => {
      if (!(e as { handled?: boolean }).handled) throw e;
    });
  });

  /** Everyone's recordings for holders of recordings.read; otherwise the caller's own. */
  async function recordingScope(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize([{ permission: kubeTroubleshootRecordingsReadPermission }], { credentials });
    return { userRef: credentials.principal.userEntityRef, all: decision.result === AuthorizeResult.ALLOW };
  }

  function recordingFilter(req: Request) {
    const q = req.query as Record<string, string | undefined>;
    const date = (key: string) => {
      if (!q[key]) return undefined;
      const d = new Date(q[key]!);
      if (Number.isNaN(d.getTime())) throw new InputError(`${key} must be a date (ISO 8601), got ${q[key]}`);
      return d;
    };
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new InputError(`limit must be a positive integer, got ${q.limit}`);
    return { entityRef: q.entity?.toLocaleLowerCase('en-US'), userRef: q.user, from: date('from'), to: date('to'), limit };
  }

  router.get('/recordings', async (req, res) => {
    const scope = await recordingScope(req);
    const filter = recordingFilter(req);
    const audit = await auditor.createEvent({ eventId: 'recordings-list', request: req, meta: { scope: scope.all ? 'all' : 'own' } });
    const items = await options.recordings.list({ ...filter, userRef: scope.all ? filter.userRef : scope.userRef });
    await audit.success();
    const body: RecordingListResponse = { items, scope: scope.all ? 'all' : 'own' };
    res.json(body);
  });

  router.get(`${base}/recordings`, async (req, res) => {
    const entityRef = `${req.params.kind}:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase('en-US');
    const scope = await recordingScope(req);
    const filter = recordingFilter(req);
    const items = await options.recordings.list({ ...filter, entityRef, userRef: scope.all ? filter.userRef : scope.userRef });
    const body: RecordingListResponse = { items, scope: scope.all ? 'all' : 'own' };
    res.json(body);
  });

  router.get('/recordings/:id', async (req, res) => {
    const scope = await recordingScope(req);
    const audit = await auditor.createEvent({ eventId: 'recording-replay', request: req, meta: { recordingId: req.params.id } });
    const summary = await options.recordings.get(req.params.id);
    // Someone else's recording is "not found" for a caller who may not see it.
    if (!summary || (!scope.all && summary.user !== scope.userRef)) {
      const error = new NotFoundError(`no recording ${req.params.id}${scope.all ? '' : ' of yours'}`);
      await audit.fail({ error });
      throw error;
    }
    const cast = await options.recordings.content(req.params.id);
    await audit.success({ meta: { owner: summary.user, entityRef: summary.entityRef } });
    if (req.query.format === 'cast' || req.accepts(['application/json', 'application/x-asciicast']) === 'application/x-asciicast') {
      res.type('application/x-asciicast').send(cast);
      return;
    }
    res.json({ ...summary, cast });
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

import {
  CreateForkResponse,
  DebugOptionsResponse,
  ForkListResponse,
  kubeTroubleshootDebugCreatePermission,
  StartDebugResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { z } from 'zod/v4';
import { RouteHandlers } from '../http/routeHandlers';
import { attachmentHeader, streamWriter } from '../http/streaming';
import { clusterName, containerName, containerRequest, namespaceName, podName, queryString } from '../http/validation';
import { TargetResolver } from '../targets/TargetResolver';
import { DebugService } from './DebugService';
import { DEBUG_PROFILES } from './profiles';

const base = '/entities/:kind/:namespace/:name';

/** The Debug tab's routes, all under debug.create; the work is the DebugService's. */
export function createDebugRouter(deps: { routes: RouteHandlers; targets: TargetResolver; debug: DebugService }) {
  const { routes, debug } = deps;
  const clusters = () => deps.targets.clusterNames();
  const permission = kubeTroubleshootDebugCreatePermission;
  const router = Router();

  router.get(
    `${base}/debug/options`,
    routes.entity({ eventId: 'debug-options', permission }, async ({ res }) => {
      const body: DebugOptionsResponse = debug.options();
      res.json(body);
    }),
  );

  const startDebug = z.strictObject({
    cluster: clusterName(clusters),
    pod: podName,
    targetContainer: containerName,
    namespace: namespaceName.optional(),
    image: z.string().min(1).max(512).optional(),
    profile: z.enum(DEBUG_PROFILES).optional(),
    reuse: z.boolean().optional(),
  });

  router.post(
    `${base}/debug`,
    routes.entity(
      {
        eventId: 'debug-container',
        severity: 'medium',
        permission,
        body: startDebug,
        meta: ({ body }) => ({ cluster: body.cluster, pod: body.pod, container: body.targetContainer, image: body.image ?? null, profile: body.profile ?? null }),
      },
      async ({ entity, userRef, body, req, res, audit }) => {
        const answer: StartDebugResponse = await debug.start(entity, userRef, body, req.baseUrl, audit);
        res.status(201).json(answer);
      },
    ),
  );

  router.post(
    `${base}/forks`,
    routes.entity(
      {
        eventId: 'fork-created',
        severity: 'medium',
        permission,
        body: containerRequest(clusters),
        meta: ({ body }) => ({ cluster: body.cluster, pod: body.pod, container: body.container }),
      },
      async ({ entity, userRef, body, req, res, audit }) => {
        const answer: CreateForkResponse = await debug.createFork(entity, userRef, body, req.baseUrl, audit);
        res.status(201).json(answer);
      },
    ),
  );

  router.get(
    `${base}/forks`,
    routes.entity({ eventId: 'forks-list', permission }, async ({ entity, userRef, res }) => {
      const body: ForkListResponse = await debug.listForks(entity, userRef);
      res.json(body);
      return { forks: body.items.length };
    }),
  );

  router.delete(
    `${base}/forks/:fork`,
    routes.entity(
      {
        eventId: 'fork-deleted',
        severity: 'medium',
        permission,
        query: z.strictObject({ cluster: queryString.pipe(clusterName(clusters)).optional() }),
        params: z.object({ fork: podName }),
        meta: ({ query, params }) => ({ pod: params.fork, cluster: query.cluster ?? null }),
      },
      async ({ entity, userRef, query, params, res }) => {
        const deleted = await debug.deleteFork(entity, userRef, params.fork, query.cluster);
        res.status(204).end();
        return { deleted: deleted.name, cluster: deleted.cluster };
      },
    ),
  );

  const filesQuery = z.strictObject({
    cluster: queryString.pipe(clusterName(clusters)),
    pod: queryString.pipe(podName),
    container: queryString.pipe(containerName),
    path: queryString.pipe(z.string().min(1).max(4096)),
    namespace: queryString.pipe(namespaceName).optional(),
  });

  router.get(
    `${base}/files`,
    routes.entity(
      {
        eventId: 'file-download',
        severity: 'medium',
        permission,
        query: filesQuery,
        meta: ({ query }) => ({ cluster: query.cluster, pod: query.pod, container: query.container, path: query.path }),
      },
      async ({ entity, userRef, query, res, signal, audit }) => {
        const write = streamWriter(res);
        let estimate: number | undefined;
        const sink = {
          estimate: (bytes: number) => {
            estimate = bytes;
          },
          start: () => {
            void audit.begin();
            res.writeHead(200, {
              'Content-Type': 'application/x-tar',
              'Content-Disposition': attachmentHeader(`${query.path.split('/').filter(Boolean).pop() ?? 'download'}.tar`),
              // The tar's size is known only at its end: the probe's estimate lets the tab show progress.
              ...(estimate !== undefined ? { 'X-Estimated-Size': String(estimate) } : {}),
              'Access-Control-Expose-Headers': 'X-Estimated-Size, Content-Disposition',
            });
          },
          write: (chunk: Buffer) => write(chunk),
        };
        const result = await debug.download(entity, userRef, query, sink, signal, audit);
        res.end();
        return result;
      },
    ),
  );

  return router;
}

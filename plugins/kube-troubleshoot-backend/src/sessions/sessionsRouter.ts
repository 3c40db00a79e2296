import http from 'node:http';
import { Socket } from 'node:net';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CreateSessionResponse,
  kubeTroubleshootSessionsTerminatePermission,
  kubeTroubleshootTerminalCreatePermission,
  kubeTroubleshootTerminalWatchPermission,
  LiveSessionListResponse,
  WatchSessionResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import { z } from 'zod/v4';
import Router from 'express-promise-router';
import { RouteHandlers } from '../http/routeHandlers';
import { containerRequest } from '../http/validation';
import { TargetResolver } from '../targets/TargetResolver';
import { SESSION_WS_PATH, SessionManager } from './SessionManager';
import { attachUpgradeListener, takeUpgrade, UpgradeRoute } from './upgradeListener';

/**
 * `POST .../sessions` (a one-time ticket for a shell in a running container of the entity, or of the
 * caller's own pod copy) and the session WebSocket itself, `GET /sessions/ws`.
 */
export function createSessionsRouter(deps: { routes: RouteHandlers; targets: TargetResolver; sessions: SessionManager; permissions: PermissionsService; listenForUpgrades: boolean }) {
  const { routes, targets, sessions } = deps;
  const router = Router();

  // On backends without WebSocket routes (registerWebSocketRoute), the upgrade is ours to catch:
  // a path-filtered listener on the server this router is served by, attached on the first
  // request. When the first request is the upgrade itself (nobody listened yet, so Node handed it
  // to Express), it is taken here.
  router.use((req, _res, next) => {
    if (!deps.listenForUpgrades) {
      next();
      return;
    }
    const route: UpgradeRoute = { path: `${req.baseUrl}${SESSION_WS_PATH}`, connect: attempt => sessions.connect(attempt) };
    const server = (req.socket as Socket & { server?: http.Server }).server;
    if (server) attachUpgradeListener(server, route);
    if (req.path === SESSION_WS_PATH && req.headers.upgrade?.toLowerCase() === 'websocket') {
      void takeUpgrade(route, req, req.socket, Buffer.alloc(0));
      return;
    }
    next();
  });

  router.post(
    '/entities/:kind/:namespace/:name/sessions',
    routes.entity(
      {
        eventId: 'terminal-ticket',
        severity: 'medium',
        permission: kubeTroubleshootTerminalCreatePermission,
        body: containerRequest(() => targets.clusterNames()),
        meta: ({ body }) => ({ cluster: body.cluster, namespace: body.namespace ?? null, pod: body.pod, container: body.container }),
      },
      async ({ entity, userRef, body, req, res, audit }) => {
        const { client, pod, fork } = await targets.findPodOrOwnFork(entity, body, userRef);
        TargetResolver.checkContainer(pod, body.container);
        // A shell opens in the pod's own containers. Debug containers are the Debug tab's (debug.create,
        // and their profiles may be privileged): they are attached again there, by their owner only.
        if (!pod.spec.containers.some(c => c.name === body.container)) {
          throw new InputError(`container ${body.container} of pod ${pod.metadata.name} is not one of its regular containers: a terminal opens in those; debug containers are reattached in the Debug tab`);
        }
        if (targets.isProduction(client.name)) audit.raise('high');
        const status = pod.status?.containerStatuses?.find(c => c.name === body.container);
        if (!status?.state?.running) {
          const why = status?.state?.waiting?.reason ?? (status?.state?.terminated ? `terminated: ${status.state.terminated.reason ?? 'exited'}` : 'not started');
          throw new ConflictError(`container ${body.container} of pod ${pod.metadata.name} is not running (${why}): a shell needs a running container; the Debug tab can inspect it`);
        }
        const answer: CreateSessionResponse = await sessions.issue(
          userRef,
          {
            kind: 'terminal',
            entityRef: stringifyEntityRef(entity),
            cluster: client.name,
            namespace: pod.metadata.namespace ?? 'default',
            pod: pod.metadata.name,
            container: body.container,
          },
          req.baseUrl,
        );
        res.status(201).json(answer);
        return { issued: true, fork };
      },
    ),
  );

  // Live join: the running sessions of the entity one may watch, and a watcher's attach token.
  router.get(
    '/entities/:kind/:namespace/:name/sessions/live',
    routes.entity({ eventId: 'sessions-live', permission: kubeTroubleshootTerminalWatchPermission }, async ({ entityRef, userRef, res }) => {
      const body: LiveSessionListResponse = { items: await sessions.liveSessions(entityRef, userRef) };
      res.json(body);
      return { sessions: body.items.length };
    }),
  );

  router.post(
    '/entities/:kind/:namespace/:name/sessions/:sessionId/watch',
    routes.entity(
      {
        eventId: 'session-watch-ticket',
        severity: 'medium',
        permission: kubeTroubleshootTerminalWatchPermission,
        params: z.object({ sessionId: z.uuid({ error: 'must be a session id (a UUID)' }) }),
        meta: ({ params }) => ({ sessionId: params.sessionId }),
      },
      async ({ entityRef, userRef, params, credentials, req, res }) => {
        const [decision] = await deps.permissions.authorize([{ permission: kubeTroubleshootSessionsTerminatePermission }], { credentials });
        const role = decision.result === AuthorizeResult.ALLOW ? 'moderator' : 'watcher';
        const body: WatchSessionResponse = await sessions.issueWatch(params.sessionId, entityRef, userRef, role, req.baseUrl);
        res.status(201).json(body);
        return { role, owner: body.session.user };
      },
    ),
  );

  return router;
}

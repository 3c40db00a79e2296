import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { kubeTroubleshootRecordingsReadPermission, RecordingListResponse, RecordingResponse } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { z } from 'zod/v4';
import { RouteHandlers, UserRequest } from '../http/routeHandlers';
import { entityParams, queryInteger, queryString, rfc3339 } from '../http/validation';
import { RecordingStore } from './RecordingStore';

/** A recording's id (the store makes UUIDs). */
const recordingId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: 'must be a recording id (a UUID)' });

const USER_REF = /^user:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;
const ENTITY_REF = /^[A-Za-z0-9._-]+:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;

const listQuery = z.strictObject({
  entity: queryString.refine(v => ENTITY_REF.test(v), { error: 'must be an entity ref, e.g. component:default/payments-api' }).optional(),
  user: queryString.refine(v => USER_REF.test(v), { error: 'must be a user entity ref, e.g. user:default/alice' }).optional(),
  cluster: queryString.refine(v => /^[A-Za-z0-9._-]{1,253}$/.test(v), { error: 'must be a cluster name' }).optional(),
  production: queryString.pipe(z.enum(['true', 'false'])).optional(),
  command: queryString.refine(v => v.trim().length > 0 && v.length <= 200, { error: 'must be 1 to 200 characters of a command' }).optional(),
  from: rfc3339.optional(),
  to: rfc3339.optional(),
  limit: queryInteger(1, 500).optional(),
});
const entityListQuery = listQuery.omit({ entity: true });
const replayQuery = z.strictObject({ format: queryString.pipe(z.enum(['cast', 'json'])).optional() });

/**
 * Terminal and debug recordings: a user lists and replays their own; holders of
 * recordings.read everyone's (someone else's recording is "not found" without it).
 */
export function createRecordingsRouter(deps: { routes: RouteHandlers; permissions: PermissionsService; recordings: RecordingStore }) {
  const { routes, recordings } = deps;
  const router = Router();

  async function readsAll(r: UserRequest<unknown, unknown, unknown>) {
    const [decision] = await deps.permissions.authorize([{ permission: kubeTroubleshootRecordingsReadPermission }], { credentials: r.credentials });
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function list(r: UserRequest<z.output<typeof listQuery>, unknown, unknown>, entityRef: string | undefined) {
    const all = await readsAll(r);
    const q = r.query;
    const items = await recordings.list({
      entityRef: (entityRef ?? q.entity)?.toLocaleLowerCase('en-US'),
      userRef: all ? q.user : r.userRef,
      cluster: q.cluster,
      production: q.production === undefined ? undefined : q.production === 'true',
      command: q.command?.trim(),
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit: q.limit,
    });
    const body: RecordingListResponse = { items, scope: all ? 'all' : 'own' };
    r.res.json(body);
    return { scope: body.scope, recordings: items.length, ...(q.command ? { command: q.command } : {}) };
  }

  router.get('/recordings', routes.user({ eventId: 'recordings-list', query: listQuery }, r => list(r, undefined)));

  router.get(
    '/entities/:kind/:namespace/:name/recordings',
    routes.user({ eventId: 'recordings-list', query: entityListQuery, params: entityParams }, r => {
      const { kind, namespace, name } = r.params;
      const entityRef = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
      r.audit.note({ entityRef });
      return list(r, entityRef);
    }),
  );

  router.get(
    '/recordings/:id',
    routes.user({ eventId: 'recording-replay', severity: 'medium', query: replayQuery, params: z.object({ id: recordingId }), meta: ({ params }) => ({ recordingId: params.id }) }, async r => {
      const { id } = r.params;
      const all = await readsAll(r);
      const summary = await recordings.get(id);
      if (!summary || (!all && summary.user !== r.userRef)) throw new NotFoundError(`no recording ${id}${all ? '' : ' of yours'}`);
      const cast = (await recordings.content(id)) ?? '';
      const asCast = r.query.format === 'cast' || (r.query.format !== 'json' && r.req.accepts(['application/json', 'application/x-asciicast']) === 'application/x-asciicast');
      if (asCast) r.res.type('application/x-asciicast').send(cast);
      else {
        const body: RecordingResponse = { ...summary, cast, commands: await recordings.commands(id) };
        r.res.json(body);
      }
      return { owner: summary.user, entityRef: summary.entityRef };
    }),
  );

  return router;
}

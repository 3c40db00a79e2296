import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod/v4';
import { authorizeEntity, isAllowedOnEntity } from '../access/authorizeEntity';
import { RequestAudit } from './RequestAudit';
import { StatusError } from './errors';
import { clientGone } from './streaming';
import { entityParams, noFields, parseInput } from './validation';

export interface RouteDeps {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  logger: LoggerService;
  /** Explains denials the policy did not make (see access/permissionFramework). */
  denialNote?: (permissionNames: string[]) => string | undefined;
}

type EntityPermission = ResourcePermission<'catalog-entity'>;

export interface RouteSpec<Q, B, P> {
  /** The auditor event of the request (kebab-case). */
  eventId: string;
  /** `low` by default (reads); refusals and failures are raised to `medium`. */
  severity?: AuditorServiceEventSeverityLevel;
  /** The query's schema; without one the route takes no query parameters. */
  query?: z.ZodType<Q>;
  /** The JSON body's schema, for POST routes. */
  body?: z.ZodType<B>;
  /** The schema of the path's own parameters (`:fork`, `:id`; an entity route's are checked anyway). */
  params?: z.ZodType<P>;
  /** What the audit event says about the request, from its validated input. */
  meta?: (input: { query: Q; body: B; params: P }) => JsonObject;
}

export interface UserRequest<Q, B, P = Record<string, never>> {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  userRef: string;
  query: Q;
  body: B;
  params: P;
  req: Request;
  res: Response;
  audit: RequestAudit;
  /** Fires when the client goes away before the response finished. */
  signal: AbortSignal;
}

export interface EntityRequest<Q, B, P> extends UserRequest<Q, B, P> {
  entity: Entity;
  entityRef: string;
  /** Whether the caller also has another permission on the entity (no error when not). */
  can(permission: EntityPermission): Promise<boolean>;
}

/** What a handler tells the audit event on success. */
type Outcome = Promise<JsonObject | void>;

const BODY_LIMIT = '16kb';
const jsonBody = express.json({ limit: BODY_LIMIT });

/** Runs the JSON body parser inside the route, so a bad body is a failure the route audits. */
function readBody(req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve, reject) => {
    jsonBody(req, res, (err?: unknown) => {
      if (!err) {
        resolve(req.body);
        return;
      }
      const e = err as { type?: string; message?: string };
      if (e.type === 'entity.too.large') reject(new StatusError(413, `the body is larger than ${BODY_LIMIT}`));
      else if (e.type === 'entity.parse.failed') reject(new InputError(`the body is not valid JSON: ${e.message}`));
      else reject(new InputError(`the body cannot be read: ${e.message ?? String(err)}`));
    });
  });
}

/** Who a refused non-user caller is: a service's subject, or unknown. */
async function callerName(req: Request, httpAuth: HttpAuthService): Promise<string> {
  try {
    const principal = (await httpAuth.credentials(req)).principal as { subject?: unknown; userEntityRef?: unknown };
    if (typeof principal.subject === 'string') return principal.subject;
    if (typeof principal.userEntityRef === 'string') return principal.userEntityRef;
  } catch {
    // an unreadable token: unknown
  }
  return 'unknown';
}

/**
 * The one place where a request is authenticated, validated, authorized and audited. Every error is
 * thrown: this audits it as failed (with its status) and hands it to the error middleware.
 */
export function createRouteHandlers(deps: RouteDeps) {
  const { httpAuth, auditor, logger } = deps;

  async function run<Q, B, P>(spec: RouteSpec<Q, B, P>, req: Request, res: Response, next: NextFunction, handle: (r: UserRequest<Q, B, P>) => Outcome) {
    let audit: RequestAudit | undefined;
    try {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const userRef = credentials.principal.userEntityRef;
      audit = new RequestAudit(auditor, logger, { eventId: spec.eventId, request: req, actor: userRef, severity: spec.severity });
      const query = spec.query ? parseInput(spec.query, req.query, 'query') : (parseInput(noFields, req.query, 'query') as Q);
      const body = spec.body ? parseInput(spec.body, await readBody(req, res), 'body') : (undefined as B);
      const params = spec.params ? parseInput(spec.params, { ...req.params }, 'path') : ({} as P);
      if (spec.meta) audit.note(spec.meta({ query, body, params }));
      const outcome = await handle({ credentials, userRef, query, body, params, req, res, audit, signal: clientGone(res) });
      await audit.succeed(outcome ?? {});
    } catch (error) {
      // A caller who is not a user (no token is refused before this router) is audited as what it is.
      audit ??= new RequestAudit(auditor, logger, { eventId: spec.eventId, request: req, actor: await callerName(req, httpAuth) });
      await audit.fail(error);
      next(error);
    }
  }

  return {
    /** A route of the signed-in user, not scoped to an entity (recordings). */
    user<Q = Record<string, never>, B = undefined, P = Record<string, never>>(spec: RouteSpec<Q, B, P>, handle: (r: UserRequest<Q, B, P>) => Outcome): RequestHandler {
      return (req, res, next) => void run(spec, req, res, next, handle);
    },

    /**
     * A route of `/entities/:kind/:namespace/:name`: the entity is loaded with the caller's
     * credentials and the caller must hold `permission` (or any one of a list) on it.
     */
    entity<Q = Record<string, never>, B = undefined, P = Record<string, never>>(
      spec: RouteSpec<Q, B, P> & { permission: EntityPermission | EntityPermission[] },
      handle: (r: EntityRequest<Q, B, P>) => Outcome,
    ): RequestHandler {
      return (req, res, next) =>
        void run(spec, req, res, next, async r => {
          const { kind, namespace, name } = parseInput(entityParams, { kind: r.req.params.kind, namespace: r.req.params.namespace, name: r.req.params.name }, 'path');
          const requested = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
          r.audit.note({ entityRef: requested });
          const entity = await authorizeEntity(deps, r.credentials, requested, spec.permission);
          const entityRef = stringifyEntityRef(entity);
          const can = (permission: EntityPermission) => isAllowedOnEntity(deps, r.credentials, entityRef, permission);
          return handle({ ...r, entity, entityRef, can });
        });
    },
  };
}

export type RouteHandlers = ReturnType<typeof createRouteHandlers>;

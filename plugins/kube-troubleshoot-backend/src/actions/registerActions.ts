import { AuditorService, BackstageCredentials, BackstageUserPrincipal, LoggerService, PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  LOG_SEVERITIES,
  LogSeverity,
} from '@kube-troubleshoot/backstage-plugin-common';
import { JsonObject } from '@backstage/types';
import { authorizeEntity, isAllowedOnEntity } from '../access/authorizeEntity';
import { EntityDiagnosis } from '../events/EntityDiagnosis';
import { EntityEvents } from '../events/EntityEvents';
import { RequestAudit } from '../http/RequestAudit';
import { TargetResolver } from '../targets/TargetResolver';
import { collectLogs, LOG_LIMITS } from './collectLogs';

export interface ActionDeps {
  actionsRegistry: ActionsRegistryService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  targets: TargetResolver;
  events: EntityEvents;
  diagnosis: EntityDiagnosis;
  denialNote?: (permissionNames: string[]) => string | undefined;
}

/** How long one action may take before it is cut off (its cluster reads are aborted). */
const ACTION_TIMEOUT_MS = 30_000;

/**
 * Only a signed-in user may call these: a service principal (a static token through the MCP
 * server) would pass every permission check, and the answers are per user.
 */
function userOf(credentials: BackstageCredentials): BackstageCredentials<BackstageUserPrincipal> {
  if ((credentials.principal as { type?: string }).type !== 'user') throw new NotAllowedError('kube-troubleshoot actions must be called by a signed-in user, with their own credentials');
  return credentials as BackstageCredentials<BackstageUserPrincipal>;
}

/**
 * The read side of the tabs as Backstage actions (served over MCP by the MCP actions backend):
 * diagnose an entity, read its recent logs (bounded, with severity and time filters), list its
 * events. Each runs with the caller's credentials, under the same permission as its tab, and
 * writes the same audit event as the tab's route, with `via: action`.
 */
export function registerActions(deps: ActionDeps) {
  const run = async <T extends object>(
    eventId: string,
    credentials: BackstageCredentials,
    meta: JsonObject,
    body: (user: BackstageCredentials<BackstageUserPrincipal>, signal: AbortSignal) => Promise<{ output: T; result?: JsonObject }>,
  ): Promise<{ output: T }> => {
    const user = userOf(credentials);
    const audit = new RequestAudit(deps.auditor, deps.logger, { eventId, actor: user.principal.userEntityRef, meta: { ...meta, via: 'action' } });
    const signal = AbortSignal.timeout(ACTION_TIMEOUT_MS);
    try {
      const { output, result } = await body(user, signal);
      await audit.succeed(result);
      return { output };
    } catch (e) {
      await audit.fail(e);
      throw e;
    }
  };
  const access = { catalog: deps.catalog, permissions: deps.permissions, denialNote: deps.denialNote };

  deps.actionsRegistry.register({
    name: 'diagnose-entity',
    title: 'Diagnose a service on Kubernetes',
    description:
      "Says what is wrong with each Kubernetes pod of a catalog entity and the next step: crash loops with their exit code and the dependency the last log lines could not reach, OOM kills against the memory limit, image pull failures, pods no node fits, failing probes. Quotes the previous run's last log lines only to callers who may read logs.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ entityRef: z.string().min(1).describe('The catalog entity, e.g. component:default/payments-api') }),
      output: z =>
        z.object({
          pods: z.array(
            z.object({
              cluster: z.string(),
              namespace: z.string(),
              pod: z.string(),
              container: z.string().optional(),
              severity: z.enum(['ok', 'info', 'warning', 'error']),
              verdict: z.string(),
              nextStep: z.string(),
              details: z.array(z.string()),
            }),
          ),
          clusterErrors: z.array(z.object({ cluster: z.string(), message: z.string(), statusCode: z.number().optional() })),
        }),
    },
    action: ({ input, credentials }) =>
      run('diagnosis-read', credentials, { entityRef: input.entityRef }, async (user, signal) => {
        const entity = await authorizeEntity(access, user, input.entityRef, kubeTroubleshootEventsReadPermission);
        const readsLogs = await isAllowedOnEntity(access, user, stringifyEntityRef(entity), kubeTroubleshootLogsReadPermission);
        const body = await deps.diagnosis.diagnose(entity, { readsLogs }, signal);
        return { output: { pods: body.pods, clusterErrors: body.clusterErrors }, result: { pods: body.pods.length, logLines: readsLogs } };
      }),
  });

  deps.actionsRegistry.register({
    name: 'get-logs',
    title: 'Read recent logs of a service on Kubernetes',
    description: `Returns the most recent log lines of a catalog entity's pods (every pod and container merged in time order, or one pod or container), newest last, with each line's detected severity. Bounded: at most ${LOG_LIMITS.maxLines} lines and ${LOG_LIMITS.maxLineChars} characters a line. Filter by severity, by text, by time (sinceSeconds), or read the previous run of a restarted container.`,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe('The catalog entity, e.g. component:default/payments-api'),
          cluster: z.string().optional().describe('Only this configured cluster'),
          pod: z.string().optional().describe('Only this pod (one of the entity)'),
          container: z.string().optional().describe('Only this container'),
          previous: z.boolean().default(false).describe("The previous run of a restarted container (needs pod)"),
          sinceSeconds: z.number().int().min(1).max(7 * 86400).optional().describe('Only lines of the last N seconds'),
          severities: z.array(z.enum(LOG_SEVERITIES as [LogSeverity, ...LogSeverity[]])).optional().describe('Only lines of these severities'),
          contains: z.string().min(1).max(200).optional().describe('Only lines containing this text (case-insensitive)'),
          limit: z.number().int().min(1).max(LOG_LIMITS.maxLines).default(100).describe('How many of the most recent matching lines'),
        }),
      output: z =>
        z.object({
          lines: z.array(
            z.object({ timestamp: z.string(), cluster: z.string(), pod: z.string(), container: z.string(), severity: z.string().optional(), text: z.string() }),
          ),
          truncated: z.boolean().describe('More lines matched than were returned'),
          notices: z.array(z.string()),
        }),
    },
    action: ({ input, credentials }) =>
      run('logs-read', credentials, { entityRef: input.entityRef, pod: input.pod ?? null, container: input.container ?? null, previous: input.previous }, async (user, signal) => {
        if (input.previous && !input.pod) throw new InputError('previous needs pod: the previous run is one container\'s');
        if (input.cluster && !deps.targets.clusterNames().includes(input.cluster)) {
          throw new InputError(`cluster ${input.cluster} is not configured; use one of ${deps.targets.clusterNames().join(', ')}`);
        }
        const entity = await authorizeEntity(access, user, input.entityRef, kubeTroubleshootLogsReadPermission);
        const output = await collectLogs(deps.targets, entity, input, signal);
        return { output, result: { lines: output.lines.length, truncated: output.truncated } };
      }),
  });

  deps.actionsRegistry.register({
    name: 'list-events',
    title: 'List Kubernetes events of a service',
    description: "Lists the Kubernetes events of a catalog entity's pods and of their owners (ReplicaSets, Deployments, Jobs), folded per object, reason and message, newest first.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().min(1).describe('The catalog entity, e.g. component:default/payments-api'),
          type: z.enum(['Normal', 'Warning']).optional().describe('Only events of this type'),
          sinceMinutes: z.number().int().min(1).max(7 * 1440).optional().describe('Only events last seen in the last N minutes'),
          limit: z.number().int().min(1).max(500).default(100),
        }),
      output: z =>
        z.object({
          events: z.array(
            z.object({
              cluster: z.string(),
              namespace: z.string(),
              type: z.string(),
              reason: z.string(),
              message: z.string(),
              count: z.number(),
              firstSeen: z.string().optional(),
              lastSeen: z.string().optional(),
              object: z.object({ kind: z.string(), name: z.string(), fieldPath: z.string().optional() }),
            }),
          ),
          truncated: z.boolean(),
          clusterErrors: z.array(z.object({ cluster: z.string(), message: z.string(), statusCode: z.number().optional() })),
        }),
    },
    action: ({ input, credentials }) =>
      run('events-read', credentials, { entityRef: input.entityRef, watch: false }, async (user, signal) => {
        const entity = await authorizeEntity(access, user, input.entityRef, kubeTroubleshootEventsReadPermission);
        const { events, clusterErrors } = await deps.events.list(entity, signal);
        const since = input.sinceMinutes ? Date.now() - input.sinceMinutes * 60_000 : undefined;
        const matching = events.filter(e => (!input.type || e.type === input.type) && (!since || Date.parse(e.lastSeen ?? e.firstSeen ?? '') >= since));
        const kept = matching.slice(0, input.limit).map(({ id: _id, source: _source, ...e }) => e);
        return { output: { events: kept, truncated: matching.length > kept.length, clusterErrors }, result: { events: kept.length } };
      }),
  });
}

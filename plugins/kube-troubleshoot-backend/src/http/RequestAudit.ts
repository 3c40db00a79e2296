import { AuditorService, AuditorServiceEvent, AuditorServiceEventSeverityLevel, LoggerService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { asError, statusOf } from './errors';

const ORDER: AuditorServiceEventSeverityLevel[] = ['low', 'medium', 'high', 'critical'];
const atLeast = (a: AuditorServiceEventSeverityLevel, b: AuditorServiceEventSeverityLevel) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/** Severity of refusals and failures: `medium` is logged at the default level (`info`). */
export const FAILURE_SEVERITY: AuditorServiceEventSeverityLevel = 'medium';

export interface RequestAuditOptions {
  eventId: string;
  /** The request whose credentials name the actor (a WebSocket's carries the user's token). */
  request?: Request;
  /** Who asked, also in `meta`: the actor when the request cannot be read any more. */
  actor: string;
  severity?: AuditorServiceEventSeverityLevel;
  meta?: JsonObject;
}

/**
 * The auditor event of one request or session, opened as late as honesty allows: a request that is
 * refused or fails before it starts is opened at no less than FAILURE_SEVERITY, so every denial and
 * failure shows at the default log level while successful reads stay at `low`. A stream opens its
 * event when it starts (`begin`) and closes it when it ends. An auditor failure is logged, never
 * thrown: it must not change the answer.
 */
export class RequestAudit {
  private event?: Promise<AuditorServiceEvent | undefined>;
  private severity: AuditorServiceEventSeverityLevel;
  private meta: JsonObject;
  private closed = false;

  constructor(private readonly auditor: AuditorService, private readonly logger: LoggerService, private readonly options: RequestAuditOptions) {
    this.severity = options.severity ?? 'low';
    this.meta = { actor: options.actor, ...options.meta };
  }

  /** Adds to what the event says; before it opens, its first line says it too. */
  note(meta: JsonObject) {
    this.meta = { ...this.meta, ...meta };
  }

  /** Raises the severity (a production cluster, a write); never lowers it. */
  raise(severity: AuditorServiceEventSeverityLevel) {
    if (!this.event) this.severity = atLeast(severity, this.severity);
  }

  /** Opens the event now: a stream or session starts, its outcome comes at its end. */
  begin(): Promise<void> {
    return this.open(this.severity).then(() => undefined);
  }

  async succeed(meta: JsonObject = {}) {
    if (this.closed) return;
    this.closed = true;
    const event = await this.open(this.severity);
    await this.guard(() => event?.success({ meta: { ...this.meta, ...meta } }));
  }

  async fail(thrown: unknown, meta: JsonObject = {}) {
    if (this.closed) return;
    this.closed = true;
    const error = asError(thrown);
    const event = await this.open(atLeast(this.severity, FAILURE_SEVERITY));
    await this.guard(() => event?.fail({ error, meta: { ...this.meta, status: statusOf(error), ...meta } }));
  }

  private open(severity: AuditorServiceEventSeverityLevel) {
    if (!this.event) {
      const { eventId, request } = this.options;
      this.severity = severity;
      this.event = this.auditor
        .createEvent({ eventId, severityLevel: severity, request, meta: this.meta })
        .catch(async e => {
          // The request's credentials can no longer be read (a token that expired during a long
          // session): the event goes on without it; the actor stays in meta.
          if (!request) throw e;
          return this.auditor.createEvent({ eventId, severityLevel: severity, meta: this.meta });
        })
        .catch(e => {
          this.logger.error(`audit event ${eventId} could not be written: ${asError(e).message}`);
          return undefined;
        });
    }
    return this.event;
  }

  private async guard(write: () => Promise<void> | undefined) {
    try {
      await write();
    } catch (e) {
      this.logger.error(`audit event ${this.options.eventId} could not be written: ${asError(e).message}`);
    }
  }
}

import { coreServices, createServiceFactory, LoggerService, RootLoggerService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: JsonObject;
}

/** The levels a backend shows at its default log level (`info`). */
export const SHOWN_BY_DEFAULT: LogLine['level'][] = ['error', 'warn', 'info'];

class CapturingLogger implements RootLoggerService {
  constructor(readonly lines: LogLine[], private readonly fields: JsonObject = {}) {}
  private log(level: LogLine['level'], message: string, meta?: Error | JsonObject) {
    const extra = meta instanceof Error ? { error: meta.message } : meta ?? {};
    this.lines.push({ level, message, meta: { ...this.fields, ...extra } });
  }
  error(message: string, meta?: Error | JsonObject) {
    this.log('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.log('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.log('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.log('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new CapturingLogger(this.lines, { ...this.fields, ...meta });
  }
}

/**
 * A root logger that keeps every line: with the real auditor it shows what an operator sees,
 * at which level, with which actor.
 */
export function capturingRootLogger() {
  const lines: LogLine[] = [];
  const factory = createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => new CapturingLogger(lines) });
  return { lines, factory };
}

/** The auditor's lines of one event id (the auditor logs `<plugin>.<eventId>` with `isAuditEvent`). */
export function auditLines(lines: LogLine[], eventId: string) {
  return lines.filter(l => l.meta.isAuditEvent && l.message === `kube-troubleshoot.${eventId}`);
}

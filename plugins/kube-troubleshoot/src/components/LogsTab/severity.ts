import { LOG_SEVERITIES, LogSeverity } from '@kube-troubleshoot/backstage-plugin-common';
import { LogEntry } from './logBuffer';

/** A line's level, or `none` for a line that states none. */
export type SeverityKey = LogSeverity | 'none';
export const SEVERITY_KEYS: SeverityKey[] = [...LOG_SEVERITIES, 'none'];

export const SEVERITY_LABELS: Record<SeverityKey, string> = {
  fatal: 'Fatal',
  error: 'Error',
  warn: 'Warn',
  info: 'Info',
  debug: 'Debug',
  trace: 'Trace',
  none: 'No level',
};

/** How many log lines of each level the buffer holds (notices and errors of the stream are not lines). */
export function severityCounts(lines: LogEntry[]): Record<SeverityKey, number> {
  const counts = Object.fromEntries(SEVERITY_KEYS.map(k => [k, 0])) as Record<SeverityKey, number>;
  for (const l of lines) if (l.kind === 'line') counts[l.severity ?? 'none']++;
  return counts;
}

/** Whether an entry shows under the filter: lines of a chosen level; the stream's own notices always. */
export function passesSeverity(line: LogEntry, chosen: ReadonlySet<SeverityKey>): boolean {
  return line.kind !== 'line' || chosen.has(line.severity ?? 'none');
}

/** Indexes of the entries that show under the filter. */
export function severityRows(lines: LogEntry[], chosen: ReadonlySet<SeverityKey>): number[] {
  const rows: number[] = [];
  for (let i = 0; i < lines.length; i++) if (passesSeverity(lines[i], chosen)) rows.push(i);
  return rows;
}

/** `?severity=error,warn` → the chosen levels; unknown names are ignored. */
export function parseSeverityParam(value: string | null): Set<SeverityKey> {
  const keys = (value ?? '').split(',').map(s => s.trim().toLowerCase());
  return new Set(SEVERITY_KEYS.filter(k => keys.includes(k)));
}

export function severityParam(chosen: ReadonlySet<SeverityKey>): string {
  return SEVERITY_KEYS.filter(k => chosen.has(k)).join(',');
}

import { parseJsonLine } from '@kube-troubleshoot/backstage-plugin-common';
import { LogEntry } from './logBuffer';

export type JsonMode = 'raw' | 'pretty' | 'columns';

const parsed = new WeakMap<LogEntry, Record<string, unknown> | null>();

/** A line's JSON object (parsed once per entry), or undefined for any other line. */
export function jsonOf(e: LogEntry): Record<string, unknown> | undefined {
  if (e.kind !== 'line') return undefined;
  let v = parsed.get(e);
  if (v === undefined) {
    v = parseJsonLine(e.plain) ?? null;
    parsed.set(e, v);
  }
  return v ?? undefined;
}

/** The top-level fields of the JSON lines held, most frequent first (at most `max`). */
export function jsonFields(lines: LogEntry[], max = 40): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) {
    const o = jsonOf(l);
    if (o) for (const k of Object.keys(o)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, max).map(([k]) => k);
}

const TIME_KEYS = ['time', 'ts', 'timestamp', '@timestamp', '@t'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', '@l', 'levelname'];
const MESSAGE_KEYS = ['msg', 'message', '@m', '@mt', 'event'];

/** Time, level and message, as the fields seen name them; the rest stay collapsed. */
export function defaultColumns(fields: string[]): string[] {
  const pick = (keys: string[]) => keys.find(k => fields.includes(k));
  return [pick(TIME_KEYS), pick(LEVEL_KEYS), pick(MESSAGE_KEYS)].filter((k): k is string => !!k);
}

/** A field's value as a cell: strings as they are, anything else as JSON. */
export function cellText(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The fields not shown as columns, collapsed to `key=value` pairs. */
export function restText(o: Record<string, unknown>, columns: string[]): string {
  return Object.entries(o)
    .filter(([k]) => !columns.includes(k))
    .map(([k, v]) => `${k}=${cellText(v)}`)
    .join(' ');
}

/** `?cols=level,msg`: the chosen columns, in order; empty means the defaults. */
export function parseColumnsParam(value: string): string[] {
  return value ? value.split(',').map(s => s.trim()).filter(Boolean) : [];
}

/**
 * The severity of a log line, as the common formats write it: JSON (`level`, `severity`, `lvl`,
 * `log.level`, Serilog's `@l`, pino/bunyan numbers), logfmt (`level=warn`), brackets (`[ERROR]`),
 * a leading token after an optional timestamp (`ERROR`, `WARN:`, Spring's `... ERROR 1 --- [main]`,
 * Python's `ERROR:root:`), klog's `E1202 05:21:21.123456`, with or without ANSI colours.
 */
export type LogSeverity = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Most severe first. */
export const LOG_SEVERITIES: LogSeverity[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

const ALIASES: Record<string, LogSeverity> = {
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal',
  error: 'error', err: 'error', eror: 'error', severe: 'error',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  info: 'info', information: 'info', informational: 'info', notice: 'info', inf: 'info',
  debug: 'debug', dbg: 'debug', fine: 'debug',
  trace: 'trace', verbose: 'trace', finer: 'trace', finest: 'trace', trc: 'trace',
};

const KLOG: Record<string, LogSeverity> = { F: 'fatal', E: 'error', W: 'warn', I: 'info' };

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** The line without ANSI colour and cursor sequences. */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

/** pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function numericLevel(n: number): LogSeverity | undefined {
  if (n >= 60) return 'fatal';
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  if (n >= 20) return 'debug';
  if (n >= 10) return 'trace';
  return undefined;
}

function named(value: unknown): LogSeverity | undefined {
  if (typeof value === 'number') return numericLevel(value);
  if (typeof value !== 'string') return undefined;
  return ALIASES[value.trim().toLowerCase()];
}

/** A JSON object line, or undefined for anything else (arrays, scalars, text that is not JSON). */
export function parseJsonLine(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const JSON_LEVEL_KEYS = ['level', 'severity', 'lvl', 'loglevel', 'log_level', 'log.level', '@l', 'levelname', 'severity_text', 'status'];

function jsonSeverity(obj: Record<string, unknown>): LogSeverity | undefined {
  for (const k of JSON_LEVEL_KEYS) {
    const v = k === 'log.level' && obj.log && typeof obj.log === 'object' ? (obj.log as Record<string, unknown>).level ?? obj[k] : obj[k];
    const s = named(v);
    if (s) return s;
  }
  return undefined;
}

// A leading timestamp (ISO, `2026/12/02 05:21:21`, syslog `Dec  2 05:21:21`), optional, then the level.
const TIMESTAMP = String.raw`(?:\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d)`;
const LEVEL_WORD = Object.keys(ALIASES).join('|');
// Bare words only in capitals (`ERROR`, `WARNING:`): "Error handling enabled" is prose, not a level.
const LEVEL_UPPER = Object.keys(ALIASES).map(k => k.toUpperCase()).join('|');
const LEADING = new RegExp(String.raw`^\s*(?:${TIMESTAMP}\s+)?(${LEVEL_UPPER})(?=[\s:|\]-]|$)`);
const LEADING_BRACKETED = new RegExp(String.raw`^\s*(?:${TIMESTAMP}\s+)?[\[(<](${LEVEL_WORD})[\])>]`, 'i');
// `2026-12-02 05:21:21.123 ERROR 1 --- [main]` (Spring), `[2026-12-02 05:21:21] production.ERROR:` (Laravel)
const AFTER_TIMESTAMP = new RegExp(String.raw`^\s*\[?${TIMESTAMP}\]?\s+(?:\S+\.)?(${LEVEL_UPPER})\b`);
const BRACKETED = new RegExp(String.raw`[\[<(](${LEVEL_WORD})[\]>)]`, 'i');
const LOGFMT = /(?:^|\s)(?:level|lvl|severity|loglevel)=("?)([A-Za-z]+)\1(?=\s|$)/i;
const KLOG_RE = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s/;

/** The line's severity, or undefined when it does not say. */
export function detectSeverity(line: string): LogSeverity | undefined {
  const text = stripAnsi(line);
  const json = parseJsonLine(text);
  if (json) return jsonSeverity(json);
  const klog = KLOG_RE.exec(text);
  if (klog) return KLOG[klog[1]];
  const logfmt = LOGFMT.exec(text);
  if (logfmt && named(logfmt[2])) return named(logfmt[2]);
  const leading = LEADING.exec(text) ?? LEADING_BRACKETED.exec(text) ?? AFTER_TIMESTAMP.exec(text);
  if (leading) return named(leading[1]);
  const bracketed = BRACKETED.exec(text);
  return bracketed ? named(bracketed[1]) : undefined;
}

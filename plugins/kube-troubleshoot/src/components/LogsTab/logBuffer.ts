import { detectSeverity, LogSeverity, LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import { stripAnsi } from './ansi';

/** Lines kept in the browser; older ones are dropped (the download has the full log). */
export const MAX_LOG_LINES = 200_000;

export interface LogEntry {
  /** Increases by one per entry received, so "new since" is a subtraction. */
  id: number;
  kind: 'line' | 'notice' | 'error';
  cluster?: string;
  pod?: string;
  container?: string;
  timestamp?: string;
  /** As received, with ANSI codes. */
  text: string;
  /** Without ANSI codes: what search looks at. Same string as `text` when there were none. */
  plain: string;
  /** The level the line states (JSON, logfmt, `[ERROR]`, a leading `WARN`...), detected once on arrival. */
  severity?: LogSeverity;
  /** Search cache: the matcher key these counts were computed for. */
  matchKey?: string;
  matchCount?: number;
}

/** Turns a stream message into an entry, or undefined for `end`. */
export function toEntry(
  message: LogStreamMessage,
  id: number,
): LogEntry | undefined {
  switch (message.type) {
    case 'line': {
      const plain = stripAnsi(message.text);
      return {
        id,
        kind: 'line',
        cluster: message.cluster,
        pod: message.pod,
        container: message.container,
        timestamp: message.timestamp,
        text: message.text,
        plain,
        severity: detectSeverity(plain),
      };
    }
    case 'notice':
    case 'error':
      return {
        id,
        kind: message.type,
        cluster: message.cluster,
        pod: message.pod,
        container: message.container,
        text: message.message,
        plain: message.message,
      };
    default:
      return undefined;
  }
}

/** The newest `capacity` entries, in arrival order. */
export class LogBuffer {
  readonly capacity: number;
  lines: LogEntry[] = [];
  /** Entries dropped from the front since the buffer was created or cleared. */
  dropped = 0;

  constructor(capacity = MAX_LOG_LINES) {
    this.capacity = capacity;
  }

  /** Appends, dropping the oldest beyond capacity; returns how many were dropped. */
  append(entries: LogEntry[]): number {
    if (!entries.length) return 0;
    const over = this.lines.length + entries.length - this.capacity;
    if (over <= 0) {
      for (const e of entries) this.lines.push(e);
      return 0;
    }
    if (entries.length >= this.capacity) {
      this.dropped += this.lines.length + entries.length - this.capacity;
      this.lines = entries.slice(entries.length - this.capacity);
    } else {
      // One splice per batch, not one shift per line.
      this.lines.splice(0, over);
      for (const e of entries) this.lines.push(e);
      this.dropped += over;
    }
    return over;
  }

  clear() {
    this.lines = [];
    this.dropped = 0;
  }

  get lastId(): number {
    return this.lines.length ? this.lines[this.lines.length - 1].id : 0;
  }
}

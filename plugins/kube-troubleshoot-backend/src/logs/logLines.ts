/** One log line as the kubelet sends it with `timestamps=true`: `2024-05-01T12:00:00.123456789Z text`. */
export interface TimedLine {
  timestamp: string;
  text: string;
}

/** Splits off the kubelet timestamp; a line without one keeps an empty timestamp. */
export function parseTimedLine(line: string): TimedLine {
  const space = line.indexOf(' ');
  const ts = space > 0 ? line.slice(0, space) : '';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(ts)) return { timestamp: ts, text: line.slice(space + 1) };
  return { timestamp: '', text: line };
}

/** Comparable key of an RFC3339 timestamp (the kubelet always writes UTC with nine digits). */
export function timeKey(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : ts;
}

/**
 * Remembers what was already delivered so a resumed request (`sinceTime` has only second
 * precision on its way to the kubelet) repeats nothing: lines before the last delivered instant
 * are dropped, and at that instant as many as were already delivered.
 */
export class ResumeCursor {
  private lastKey = '';
  private atLast = 0;
  private skipAtLast = 0;
  private lastTimestamp = '';

  /** True when the line is new and must be delivered. */
  accept(line: TimedLine): boolean {
    if (!line.timestamp) return true;
    const key = timeKey(line.timestamp);
    if (key < this.lastKey) return false;
    if (key === this.lastKey) {
      if (this.skipAtLast > 0) {
        this.skipAtLast -= 1;
        return false;
      }
      this.atLast += 1;
      return true;
    }
    this.lastKey = key;
    this.lastTimestamp = line.timestamp;
    this.atLast = 1;
    this.skipAtLast = 0;
    return true;
  }

  /** Call before re-reading from `sinceTime()`: the lines at the last instant will come again. */
  rewind() {
    this.skipAtLast = this.atLast;
  }

  /** The `sinceTime` to resume from: the last delivered instant, cut to whole seconds (inclusive). */
  sinceTime(): string | undefined {
    return this.lastTimestamp ? `${this.lastTimestamp.slice(0, 19)}Z` : undefined;
  }
}

/** Merges per-source lists that are each in time order into one list in time order (stable). */
export function mergeByTime<T extends { timestamp: string }>(lists: T[][]): T[] {
  const all = lists.flatMap((list, source) => list.map((item, index) => ({ item, source, index })));
  all.sort((a, b) => {
    const ka = timeKey(a.item.timestamp);
    const kb = timeKey(b.item.timestamp);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.source - b.source || a.index - b.index;
  });
  return all.map(x => x.item);
}

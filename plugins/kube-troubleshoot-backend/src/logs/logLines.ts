/** One log line as the kubelet sends it with `timestamps=true`: `2024-05-01T12:00:00.123456789Z text`. */
export interface TimedLine {
  timestamp: string;
  text: string;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const DIGITS = /^\d+$/;

/**
 * The kubelet's own form, `2024-05-01T12:00:00.123456789Z` (30 characters, UTC, nine digits): it
 * sorts as a string. Checked by position, not by a regular expression: this runs once per line.
 */
function isKubeletTime(ts: string): boolean {
  return (
    ts.length === 30 && ts.charCodeAt(29) === 90 /* Z */ && ts.charCodeAt(19) === 46 /* . */ && ts.charCodeAt(10) === 84 /* T */ &&
    ts.charCodeAt(4) === 45 && ts.charCodeAt(7) === 45 && ts.charCodeAt(13) === 58 && ts.charCodeAt(16) === 58 &&
    DIGITS.test(ts.slice(20, 29))
  );
}

/** Splits off the kubelet timestamp; a line without one keeps an empty timestamp. */
export function parseTimedLine(line: string): TimedLine {
  const space = line.indexOf(' ');
  if (space === 30 && isKubeletTime(line.slice(0, 30))) return { timestamp: line.slice(0, 30), text: line.slice(31) };
  const ts = space > 0 ? line.slice(0, space) : '';
  if (RFC3339.test(ts)) return { timestamp: ts, text: line.slice(space + 1) };
  return { timestamp: '', text: line };
}

/** Comparable key of an RFC3339 timestamp (the kubelet always writes UTC with nine digits). */
export function timeKey(ts: string): string {
  if (isKubeletTime(ts)) return ts.slice(0, 29);
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : ts;
}

/** Orders two timestamps (negative: `a` first); the kubelet's own form compares without a key. */
export function compareTime(a: string, b: string): number {
  const kubelet = a.length === 30 && b.length === 30 && a.charCodeAt(29) === 90 && b.charCodeAt(29) === 90;
  const ka = kubelet ? a : timeKey(a);
  const kb = kubelet ? b : timeKey(b);
  if (ka === kb) return 0;
  return ka < kb ? -1 : 1;
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

/** What one source has delivered and not yet merged: `items` from `next` on; `ended` when it has no more. */
export interface MergeQueue<T> {
  items: T[];
  next: number;
  ended: boolean;
}

/**
 * Takes items of sources that are each in time order, in time order (equal times: the lower source
 * first), for as long as every source that has not ended has one queued: past that, a line still to
 * come from it could be earlier. At most `max` items; the caller refills the empty queues.
 */
export function takeInTimeOrder<T extends { timestamp: string }>(queues: MergeQueue<T>[], max = Infinity): Array<{ item: T; source: number }> {
  const out: Array<{ item: T; source: number }> = [];
  while (out.length < max) {
    let best = -1;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i];
      if (q.next >= q.items.length) {
        if (!q.ended) return out;
        continue;
      }
      if (best === -1 || compareTime(q.items[q.next].timestamp, queues[best].items[queues[best].next].timestamp) < 0) best = i;
    }
    if (best === -1) return out;
    const q = queues[best];
    out.push({ item: q.items[q.next], source: best });
    q.next += 1;
  }
  return out;
}

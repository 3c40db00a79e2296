/** One log line as the kubelet sends it with `timestamps=true`: `2024-05-01T12:00:00.123456789Z text`. */
export interface TimedLine {
  timestamp: string;
  text: string;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Does `s` start with the kubelet's own form, `2024-05-01T12:00:00.123456789Z` (30 characters, UTC,
 * nine digits, which sorts as a string)? Checked by position, in place: this runs once per line.
 */
function startsWithKubeletTime(s: string): boolean {
  if (s.length < 30 || s.charCodeAt(29) !== 90 /* Z */ || s.charCodeAt(19) !== 46 /* . */ || s.charCodeAt(10) !== 84 /* T */) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  for (let i = 20; i < 29; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

const isKubeletTime = (ts: string) => ts.length === 30 && startsWithKubeletTime(ts);

/** Splits off the kubelet timestamp; a line without one keeps an empty timestamp. */
export function parseTimedLine(line: string): TimedLine {
  if (line.charCodeAt(30) === 32 && startsWithKubeletTime(line)) return { timestamp: line.slice(0, 30), text: line.slice(31) };
  const space = line.indexOf(' ');
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
 * precision on its way to the kubelet) repeats nothing: after `rewind`, lines before the last
 * delivered instant are dropped, and at that instant as many as were already delivered; the first
 * line past it ends the overlap. Outside an overlap every line is delivered, even one stamped
 * earlier than the one before it (a runtime stamps stdout and stderr apart, so they can cross).
 */
export class ResumeCursor {
  private last = '';
  private atLast = 0;
  private skipAtLast = 0;
  private resuming = false;

  /** True when the line with this timestamp is new and must be delivered. */
  accept(timestamp: string): boolean {
    if (!timestamp) return true;
    const order = this.last ? compareTime(timestamp, this.last) : 1;
    if (this.resuming) {
      if (order < 0) return false;
      if (order === 0 && this.skipAtLast > 0) {
        this.skipAtLast -= 1;
        return false;
      }
      this.resuming = false;
    }
    if (order === 0) this.atLast += 1;
    else if (order > 0) {
      this.last = timestamp;
      this.atLast = 1;
    }
    return true;
  }

  /** Call before re-reading from `sinceTime()`: the lines up to the last instant will come again. */
  rewind() {
    this.skipAtLast = this.atLast;
    this.resuming = this.last !== '';
  }

  /** The `sinceTime` to resume from: the last delivered instant, cut to whole seconds (inclusive). */
  sinceTime(): string | undefined {
    return this.last ? `${this.last.slice(0, 19)}Z` : undefined;
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
 * come from it could be earlier. Hands each to `take` (no array of pairs per line), at most `max`;
 * returns how many. The caller refills the empty queues.
 */
export function takeInTimeOrder<T extends { timestamp: string }>(queues: MergeQueue<T>[], take: (item: T, source: number) => void, max = Infinity): number {
  let taken = 0;
  if (queues.length === 1) {
    // One source: its own order, no comparisons.
    const q = queues[0];
    for (; taken < max && q.next < q.items.length; taken++) take(q.items[q.next++], 0);
    return taken;
  }
  while (taken < max) {
    let best = -1;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i];
      if (q.next >= q.items.length) {
        if (!q.ended) return taken;
        continue;
      }
      if (best === -1 || compareTime(q.items[q.next].timestamp, queues[best].items[queues[best].next].timestamp) < 0) best = i;
    }
    if (best === -1) return taken;
    const q = queues[best];
    take(q.items[q.next], best);
    q.next += 1;
    taken += 1;
  }
  return taken;
}

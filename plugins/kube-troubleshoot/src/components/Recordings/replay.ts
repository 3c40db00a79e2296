/**
 * Replaying an asciicast v2 recording: parsing, and what the screen holds at a moment. Pure, so the
 * player (and its tests) only decide when to call it.
 */
export interface CastHeader {
  version: number;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
}

export type CastEvent = [number, string, string];

export interface Cast {
  header: CastHeader;
  /** Output and resize events, in time order (input is kept apart: it is not drawn). */
  events: CastEvent[];
  input: CastEvent[];
  duration: number;
}

export function parseCast(text: string): Cast {
  const lines = text.split('\n').filter(l => l.trim());
  if (!lines.length) throw new Error('the recording is empty');
  const header = JSON.parse(lines[0]) as CastHeader;
  if (header.version !== 2) throw new Error(`not an asciicast v2 recording (version ${header.version})`);
  const all = lines.slice(1).map(l => JSON.parse(l) as CastEvent);
  const events = all.filter(e => e[1] === 'o' || e[1] === 'r');
  return { header, events, input: all.filter(e => e[1] === 'i'), duration: all.length ? all[all.length - 1][0] : 0 };
}

/** The index of the first event after `time` (events before it are on screen at `time`). */
export function indexAt(events: CastEvent[], time: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid][0] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `120x40` -> { cols: 120, rows: 40 } */
export function parseSize(text: string): { cols: number; rows: number } | undefined {
  const m = /^(\d+)x(\d+)$/.exec(text);
  return m ? { cols: Number(m[1]), rows: Number(m[2]) } : undefined;
}

/** `m:ss` */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const SPEEDS = [1, 2, 8] as const;

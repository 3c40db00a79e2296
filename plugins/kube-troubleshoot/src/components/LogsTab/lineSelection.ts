import { LogEntry } from './logBuffer';
import { formatTimestamp, TimeZoneMode } from './timeFormat';

/** A range of entries by id (ids survive old lines being dropped), from the first click to the shift-click. */
export interface LineSelection {
  anchor: number;
  head: number;
}

export const isSelected = (s: LineSelection | undefined, id: number) =>
  !!s && id >= Math.min(s.anchor, s.head) && id <= Math.max(s.anchor, s.head);

/** A line's address in a link: `<pod>/<container>@<timestamp>`, the same after a reload. */
export function lineRef(e: LogEntry): string {
  return `${e.pod ?? ''}/${e.container ?? ''}@${e.timestamp ?? ''}`;
}

/** The index of the line a link names, or -1. */
export function findLineRef(lines: LogEntry[], ref: string): number {
  return lines.findIndex(l => l.kind === 'line' && lineRef(l) === ref);
}

/** The selected lines as text, as they read on screen: tag and timestamp when shown, no colours. */
export function selectedText(
  lines: LogEntry[],
  s: LineSelection,
  opts: { timestamps: boolean; timeZone: TimeZoneMode; tag: (e: LogEntry) => string | undefined },
): { text: string; count: number } {
  const picked = lines.filter(l => isSelected(s, l.id));
  const text = picked
    .map(l => {
      const ts = opts.timestamps && l.timestamp ? `${formatTimestamp(l.timestamp, opts.timeZone)} ` : '';
      const tag = opts.tag(l);
      return `${ts}${tag ? `[${tag}] ` : ''}${l.kind === 'line' ? l.plain : `— ${l.plain} —`}`;
    })
    .join('\n');
  return { text, count: picked.length };
}

export type TimeZoneMode = 'local' | 'utc';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A line's timestamp as shown: UTC as Kubernetes writes it, to the millisecond
 * (`2026-12-02T05:21:21.123Z`), or the browser's local time (`2026-12-02 06:21:21.123`).
 */
export function formatTimestamp(iso: string, mode: TimeZoneMode): string {
  const utc = iso.replace(/(\.\d{3})\d*/, '$1');
  if (mode === 'utc') return utc;
  const d = new Date(utc);
  if (Number.isNaN(d.getTime())) return utc;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

import fs from 'node:fs';
import { formatNs, parseRfc3339Ns } from './clock';

/**
 * A container's log file in the CRI format the kubelet reads:
 *   `<RFC3339Nano> <stdout|stderr> <F|P> <content>`
 * `P` marks a partial line (no newline followed it yet when the container stopped).
 */
export interface LogEntry {
  ns: bigint;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

export function formatEntry(e: LogEntry): string {
  return `${formatNs(e.ns)} ${e.stream} ${e.partial ? 'P' : 'F'} ${e.content}\n`;
}

export function parseEntries(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/.exec(line);
    if (!m) continue;
    const ns = parseRfc3339Ns(m[1]);
    if (ns === undefined) continue;
    out.push({ ns, stream: m[2] as LogEntry['stream'], partial: m[3] === 'P', content: m[4] });
  }
  return out;
}

export function readEntries(file: string): LogEntry[] {
  try {
    return parseEntries(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export interface LogQuery {
  timestamps?: boolean;
  tailLines?: number;
  /** Only entries at or after this instant (ns since epoch). */
  sinceNs?: bigint;
}

/** What the kubelet selects for one request, before limitBytes. */
export function selectEntries(entries: LogEntry[], q: LogQuery): LogEntry[] {
  let selected = q.sinceNs === undefined ? entries : entries.filter(e => e.ns >= q.sinceNs!);
  if (q.tailLines !== undefined) {
    selected = q.tailLines === 0 ? [] : selected.slice(-q.tailLines);
  }
  return selected;
}

/** One entry as the log endpoint writes it. */
export function renderEntry(e: LogEntry, timestamps: boolean | undefined): string {
  return `${timestamps ? `${formatNs(e.ns)} ` : ''}${e.content}${e.partial ? '' : '\n'}`;
}

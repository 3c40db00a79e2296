import { Entity } from '@backstage/catalog-model';
import { detectSeverity, LogSeverity, LogStreamMessage, stripAnsi } from '@kube-troubleshoot/backstage-plugin-common';
import { logSources } from '../logs/logSources';
import { ndjsonFormat } from '../logs/logFraming';
import { streamLogs } from '../logs/streamLogs';
import { TargetResolver } from '../targets/TargetResolver';

/** Bounds of what one call returns, and of what it reads to find it. */
export const LOG_LIMITS = {
  maxLines: 500,
  maxLineChars: 2000,
  /** Lines read per container, newest last, before filtering. */
  scanLinesPerContainer: 5000,
};

export interface CollectLogsInput {
  cluster?: string;
  pod?: string;
  container?: string;
  previous: boolean;
  sinceSeconds?: number;
  severities?: LogSeverity[];
  contains?: string;
  limit: number;
}

export interface CollectedLine {
  timestamp: string;
  cluster: string;
  pod: string;
  container: string;
  severity?: LogSeverity;
  text: string;
}

/**
 * The newest lines of an entity's logs that match the filters, read the way the Logs tab reads
 * them (the same sources, merged in time order, never followed), without ANSI colours, each line
 * cut at LOG_LIMITS.maxLineChars.
 */
export async function collectLogs(
  targets: TargetResolver,
  entity: Entity,
  input: CollectLogsInput,
  signal: AbortSignal,
): Promise<{ lines: CollectedLine[]; truncated: boolean; notices: string[] }> {
  const sources = await logSources(targets, entity, { cluster: input.cluster, pod: input.pod, container: input.container, follow: false, previous: input.previous, download: false, timestamps: false }, signal);
  const notices: string[] = [];
  if (!sources.length) return { lines: [], truncated: false, notices: ['the entity has no pods (or none with that container) in the configured clusters'] };
  const needle = input.contains?.toLowerCase();
  const wanted = input.severities?.length ? new Set(input.severities) : undefined;
  const kept: CollectedLine[] = [];
  let matched = 0;
  let rest = '';
  await streamLogs(
    sources,
    { follow: false, previous: input.previous, tailLines: LOG_LIMITS.scanLinesPerContainer, sinceSeconds: input.sinceSeconds },
    ndjsonFormat,
    {
      async write(text) {
        const parts = (rest + text).split('\n');
        rest = parts.pop()!;
        for (const part of parts) {
          if (!part) continue;
          const m = JSON.parse(part) as LogStreamMessage;
          if (m.type === 'notice' || m.type === 'error') {
            notices.push([m.pod, m.container].filter(Boolean).join('/') + (m.pod ? ': ' : '') + m.message);
            continue;
          }
          if (m.type !== 'line') continue;
          const plain = stripAnsi(m.text);
          const severity = detectSeverity(plain);
          if (wanted && (!severity || !wanted.has(severity))) continue;
          if (needle && !plain.toLowerCase().includes(needle)) continue;
          matched++;
          kept.push({
            timestamp: m.timestamp,
            cluster: m.cluster,
            pod: m.pod,
            container: m.container,
            ...(severity ? { severity } : {}),
            text: plain.length > LOG_LIMITS.maxLineChars ? `${plain.slice(0, LOG_LIMITS.maxLineChars)}…` : plain,
          });
          if (kept.length > input.limit) kept.shift();
        }
      },
    },
    signal,
  );
  return { lines: kept, truncated: matched > kept.length, notices };
}

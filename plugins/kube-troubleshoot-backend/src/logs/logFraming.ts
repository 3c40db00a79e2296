import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';

const str = JSON.stringify;

/**
 * One NDJSON line of the logs stream. A log line, the message sent hundreds of thousands of times,
 * is framed by hand (only its strings go through JSON.stringify): the same bytes as
 * `JSON.stringify(m)`, without walking an object per line.
 */
export function ndjsonMessage(m: LogStreamMessage): string {
  if (m.type === 'line') {
    return `{"type":"line","cluster":${str(m.cluster)},"pod":${str(m.pod)},"container":${str(m.container)},"timestamp":${str(m.timestamp)},"text":${str(m.text)}}\n`;
  }
  return `${str(m)}\n`;
}

/** One line of a downloaded log file: tagged with its pod and container when several are merged. */
export function textMessage(m: LogStreamMessage, opts: { timestamps: boolean; tagged: boolean }): string {
  if (m.type === 'line') return `${opts.timestamps ? `${m.timestamp} ` : ''}${opts.tagged ? `[${m.pod}/${m.container}] ` : ''}${m.text}\n`;
  return m.type === 'error' ? `# error: ${m.message}\n` : '';
}

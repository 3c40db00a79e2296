import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';

const str = JSON.stringify;

/** The container a log line came from. */
export interface LineTags {
  cluster: string;
  pod: string;
  container: string;
}

/** Frames one log line of a container (its tags bound once, not per line). */
export type LineFramer = (timestamp: string, text: string) => string;

/** How a logs response is written: NDJSON for the tab, text for a download. */
export interface LogFormat {
  lineFramer(tags: LineTags): LineFramer;
  message(m: LogStreamMessage): string;
}

/**
 * NDJSON of LogStreamMessage. A log line, the message sent hundreds of thousands of times, is
 * framed by hand: the same bytes as `JSON.stringify(m)`, with its tags' JSON made once per container
 * and only the text escaped per line. The timestamp is one `parseTimedLine` found (empty or RFC3339:
 * digits, `-:.+TZ`), which JSON never escapes.
 */
export const ndjsonFormat: LogFormat = {
  lineFramer(tags) {
    const head = `{"type":"line","cluster":${str(tags.cluster)},"pod":${str(tags.pod)},"container":${str(tags.container)},"timestamp":`;
    return (timestamp, text) => `${head}"${timestamp}","text":${str(text)}}\n`;
  },
  message: m => `${str(m)}\n`,
};

/** A downloaded log file: a line with its timestamp and, when several are merged, its pod and container. */
export function textFormat(opts: { timestamps: boolean; tagged: boolean }): LogFormat {
  return {
    lineFramer(tags) {
      const tag = opts.tagged ? `[${tags.pod}/${tags.container}] ` : '';
      return opts.timestamps ? (timestamp, text) => `${timestamp} ${tag}${text}\n` : (_, text) => `${tag}${text}\n`;
    },
    message: m => (m.type === 'error' ? `# error: ${m.message}\n` : ''),
  };
}

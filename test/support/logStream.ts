import { IncomingMessage } from 'node:http';
import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';

/** Reads a logs response as the Logs tab does: NDJSON, one LogStreamMessage per line, across chunks. */
export function onLogMessages(res: IncomingMessage, onMessage: (m: LogStreamMessage) => void) {
  let rest = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const part of parts) onMessage(JSON.parse(part) as LogStreamMessage);
  });
}

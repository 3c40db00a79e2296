import { Response } from 'express';

/** Writes to a streaming response, waiting for 'drain' when the client is slower than the cluster. */
export function streamWriter(res: Response) {
  return (text: string | Buffer): Promise<void> => {
    if (res.writableEnded || res.destroyed) return Promise.resolve();
    if (res.write(text)) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
}

/** An AbortSignal that fires when the client goes away before the response finished. */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * `Content-Disposition` for a download of any name (RFC 6266): an ASCII fallback, and the real name
 * in `filename*`, so a name like `отчёт.csv` or one with quotes cannot break the header.
 */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Headers of an NDJSON stream that proxies must not buffer. */
export const NDJSON_HEADERS = {
  'Content-Type': 'application/x-ndjson; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

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

/** Headers of an NDJSON stream that proxies must not buffer. */
export const NDJSON_HEADERS = {
  'Content-Type': 'application/x-ndjson; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

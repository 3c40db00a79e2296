import { LoggerService } from '@backstage/backend-plugin-api';
import { serializeError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { asError, statusOf } from './errors';

/**
 * The plugin's one error handler, last in its router: every thrown error becomes Backstage's error
 * body with the error's status, whatever the host app's own middleware does. A stream that already
 * started is cut (the client sees a failed download, never a short one that looks complete).
 */
export function errorMiddleware(logger: LoggerService): ErrorRequestHandler {
  return (thrown, req, res, _next) => {
    const error = asError(thrown);
    const statusCode = statusOf(error);
    if (statusCode >= 500) logger.error(`${req.method} ${req.originalUrl} failed with ${statusCode}: ${error.message}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(statusCode).json({
      error: serializeError(error, { includeStack: false }),
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode },
    });
  };
}

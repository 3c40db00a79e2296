import { ErrorLike, isError } from '@backstage/errors';

const STATUS_NAMES: Record<410 | 413 | 429 | 502 | 504, string> = {
  410: 'GoneError',
  413: 'PayloadTooLargeError',
  429: 'TooManyRequestsError',
  502: 'BadGatewayError',
  504: 'GatewayTimeoutError',
};

/**
 * A failure with an HTTP status that `@backstage/errors` has no class for (410, 413, 429, 502, 504).
 * Thrown like any other error; the error middleware answers with its status and name.
 */
export class StatusError extends Error {
  constructor(readonly statusCode: 410 | 413 | 429 | 502 | 504, message: string, name?: string) {
    super(message);
    this.name = name ?? STATUS_NAMES[statusCode];
  }
}


const BY_NAME: Record<string, number> = {
  NotModifiedError: 304,
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

/** The HTTP status of an error, read the way Backstage's error middleware reads it. */
export function statusOf(error: unknown): number {
  const e = (isError(error) ? error : {}) as ErrorLike & { statusCode?: unknown; status?: unknown };
  for (const v of [e.statusCode, e.status]) {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 599) return v;
  }
  return BY_NAME[e.name ?? ''] ?? 500;
}

/** Any thrown value as an Error (the auditor and the middleware need one). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

// Maps anything thrown inside the cloud to the shared AppError vocabulary.
// Redis connection failures become `unavailable` (503) so callers retry,
// instead of a generic 500.
import { AppError } from '#protocol/errors';

const REDIS_DOWN = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'SocketTimeoutError',
]);

export function isRedisDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    REDIS_DOWN.has(err.name) ||
    REDIS_DOWN.has(err.constructor.name) ||
    /ECONNREFUSED|ECONNRESET/.test(err.message)
  );
}

export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isRedisDown(err))
    return new AppError('unavailable', 'storage temporarily unavailable, retry', undefined, { cause: err });
  return new AppError('internal', 'internal error', undefined, { cause: err });
}

/** Shorthand for auth failures; `reason` lets clients and tests tell expired from forged from reused. */
export function authError(reason: string, message: string): AppError {
  return new AppError('unauthenticated', message, { reason });
}

export function forbidden(reason: string, message: string): AppError {
  return new AppError('forbidden', message, { reason });
}

// JSON errors for every failure: `{error:{code,message,details?}}` with the
// matching HTTP status; unknown routes under /api are 404s in the same shape.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '#protocol/errors';
import type { Logger } from '#common/logger';
import { asAppError } from '../errors.ts';

export function apiNotFound(): RequestHandler {
  return (req, _res, next) => next(new AppError('not_found', `no route ${req.method} ${req.originalUrl}`));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    // body-parser failures carry a `status` and `type`.
    const parse = err as { type?: string; status?: number };
    const appErr =
      parse?.type === 'entity.parse.failed'
        ? new AppError('bad_request', 'request body is not valid JSON')
        : parse?.type === 'entity.too.large'
          ? new AppError('bad_request', 'request body too large')
          : asAppError(err);
    if (appErr.code === 'internal' || appErr.code === 'unavailable') {
      logger.error({ err: appErr.cause ?? err, method: req.method, url: req.originalUrl }, 'request failed');
    } else {
      logger.debug({ code: appErr.code, method: req.method, url: req.originalUrl }, appErr.message);
    }
    const retryAfter = (appErr.details as { retryAfterS?: number } | undefined)?.retryAfterS;
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    res.status(appErr.httpStatus).json(appErr.toBody());
  };
}

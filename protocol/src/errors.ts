// Typed errors shared by every process and the client. A failure crosses a
// process boundary as `{ error: { code, message, details? } }` — in HTTP bodies
// and in socket.io acknowledgements alike.
import { z } from 'zod';

export const ErrorCode = z.enum([
  'bad_request', // the payload failed schema validation
  'unauthenticated', // no token, a forged token, an expired token
  'forbidden', // a valid token whose role/call/branch may not do this
  'not_found',
  'conflict',
  'rate_limited',
  'unavailable', // a dependency (Redis, worker, model, cloud link) is down
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** Parses `data` with `schema` or throws a `bad_request` AppError naming each bad field. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = fields.map((f) => `${f.path || '(root)'}: ${f.message}`).join('; ');
  throw new AppError('bad_request', `invalid ${what}: ${summary}`, { fields });
}

/** Any thrown value as an ErrorBody; unknown errors become `internal` without leaking internals. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  return { error: { code: 'internal', message: 'internal error' } };
}

/** Socket.io acknowledgement: either `{ ok: true, data }` or an ErrorBody. */
export type Ack<T> = { ok: true; data: T } | ({ ok: false } & ErrorBody);

// One wrapper for every socket.io request event: validate the payload with its
// zod schema, refuse expired sessions, run the handler, answer `Ack<T>`. Errors
// are answered (never swallowed) and logged when unexpected.
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { validate, type Ack } from '#protocol/errors';
import type { Logger } from '#common/logger';
import { asAppError, authError } from '../errors.ts';

export interface SessionData {
  expiresAt: number;
}

export function onRequest<S extends z.ZodType, T>(
  socket: Socket,
  event: string,
  schema: S,
  logger: Logger,
  handler: (msg: z.infer<S>) => Promise<T>,
): void {
  socket.on(event, async (raw: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (res: Ack<T>) => void) : undefined;
    try {
      const data = socket.data as SessionData;
      if (data.expiresAt && Date.now() > data.expiresAt)
        throw authError('expired', 'session token expired: send auth:refresh or reconnect');
      const msg = validate(schema, raw, event);
      const result = await handler(msg);
      reply?.({ ok: true, data: result });
    } catch (err) {
      const e = asAppError(err);
      if (e.code === 'internal' || e.code === 'unavailable')
        logger.error({ err: e.cause ?? err, event }, 'socket request failed');
      reply?.({ ok: false, ...e.toBody() });
    }
  });
}

/** For fire-and-forget events (no ack): validate, run, log failures. */
export function onNotice<S extends z.ZodType>(
  socket: Socket,
  event: string,
  schema: S,
  logger: Logger,
  handler: (msg: z.infer<S>) => Promise<void>,
): void {
  socket.on(event, async (raw: unknown) => {
    try {
      await handler(validate(schema, raw, event));
    } catch (err) {
      const e = asAppError(err);
      logger[e.code === 'internal' || e.code === 'unavailable' ? 'error' : 'warn'](
        { err: e.cause ?? err, event, code: e.code },
        e.message,
      );
    }
  });
}

// Structured logs (pino) for every Node process. One root logger per process,
// children per module: `createLogger('edge').child({ module: 'cloud-link' })`.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { PII_CENSOR, PII_KEY_NAMES, redact, redactString } from './redact.ts';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const SECRET_PATHS = [
  'password',
  'token',
  'key',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.key',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'auth.token',
];

/** Top-level keys that are personal data, censored wherever pino serializes them (`name` is the logger's own). */
const PII_SERIALIZERS = Object.fromEntries(
  PII_KEY_NAMES.filter((k) => k !== 'name').map((k) => [k, () => PII_CENSOR]),
);

/** Errors keep their type; their message, stack and extra fields lose any personal data. */
function redactedError(err: unknown): Record<string, unknown> {
  const e = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  return redact({
    ...e,
    ...(typeof e.message === 'string' ? { message: redactString(e.message) } : {}),
    ...(typeof e.stack === 'string' ? { stack: redactString(e.stack) } : {}),
  });
}

/** `destination`: where lines go (default stdout); tests pass a stream to read what was logged. */
export function createLogger(
  name: string,
  options: LoggerOptions = {},
  destination?: DestinationStream,
): Logger {
  const pretty = process.env.LOG_PRETTY === '1';
  const opts: LoggerOptions = {
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    // No personal data in logs (common/src/redact.ts): logged objects, child bindings, messages, errors.
    formatters: {
      log: (obj) => redact(obj),
      bindings: ({ name: loggerName, ...rest }) => ({
        ...(loggerName === undefined ? {} : { name: loggerName }),
        ...redact(rest),
      }),
    },
    // Serializers also apply to child bindings (`logger.child({ displayName })`), which formatters do not see.
    serializers: { ...PII_SERIALIZERS, err: redactedError, error: redactedError },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a) => (typeof a === 'string' ? redactString(a) : a)) as typeof args;
        // logger.warn(err) logs err.message as the message: redact it too.
        if (clean[0] instanceof Error && typeof clean[1] !== 'string')
          clean.splice(1, 0, redactString(clean[0].message));
        method.apply(this, clean);
      },
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
    ...options,
  };
  return destination ? pino(opts, destination) : pino(opts);
}

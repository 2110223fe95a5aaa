// Structured logs (pino) for every Node process. One root logger per process,
// children per module: `createLogger('edge').child({ module: 'cloud-link' })`.
import { pino, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const pretty = process.env.LOG_PRETTY === '1';
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
    ...options,
  });
}

// The transcription area's default logger. Callers (the edge, the CLI) pass
// their own; the CLI's writes to stderr so stdout carries only JSON.
import { createLogger, type Logger } from '#common/logger';

let fallback: Logger | undefined;

export function defaultLogger(): Logger {
  fallback ??= createLogger('edge').child({ module: 'transcription' });
  return fallback;
}

/** A logger on stderr (fd 2), for command-line tools whose stdout is data. */
export function stderrLogger(name: string): Logger {
  return createLogger(name, { transport: { target: 'pino/file', options: { destination: 2 } } });
}

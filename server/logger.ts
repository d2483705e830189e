import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines to stdout; credentials and tokens never reach a log line. */
export function createLogger(options: { level: string; name: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: {
      paths: ['credentials', '*.credentials', 'password', '*.password', 'token', '*.token', 'authorization'],
      censor: '[redacted]',
    },
  });
}

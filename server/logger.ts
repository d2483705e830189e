import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines to stdout (or to `destination`, e.g. the all-in-one's pretty printer); credentials and tokens never
 * reach a log line.
 */
export function createLogger(options: {
  level: string;
  name: string;
  destination?: DestinationStream;
}): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    redact: {
      paths: ['credentials', '*.credentials', 'password', '*.password', 'token', '*.token', 'authorization'],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

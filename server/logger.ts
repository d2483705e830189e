import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** What replaces a redacted value in a log line. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values never reach a log line, compared without case, `_` or `-` (so `refresh_token`, `refreshToken`
 * and `Refresh-Token` are one name). Any key ending in token, secret or password is redacted as well.
 */
const SENSITIVE_KEYS = new Set([
  'credentials',
  'credentialssealed',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'token',
  'tokens',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'privatekey',
  'secretskey',
  'secretspreviouskeys',
]);

/** Whether a property name holds something secret. */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SENSITIVE_KEYS.has(k) || k.endsWith('token') || k.endsWith('secret') || k.endsWith('password');
}

const MAX_DEPTH = 10;

/**
 * Copies plain objects and arrays with every sensitive key's value replaced, at any depth (fast-redact paths cannot
 * say "anywhere"). Other values (dates, buffers, class instances) are left as they are; errors go through `err` below.
 */
export function redactSecrets<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything we log on purpose, or a cycle: cut, rather than print something unchecked.
  if (depth > MAX_DEPTH) return '[too deep]' as T;
  if (seen.has(value)) return '[Circular]' as T;
  if (Array.isArray(value)) {
    seen.add(value);
    const out = value.map((v: unknown) => redactSecrets(v, depth + 1, seen));
    seen.delete(value);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSensitiveKey(k) ? REDACTED : redactSecrets(v, depth + 1, seen);
  }
  seen.delete(value);
  return out as T;
}

/** pino's error serializer, then every sensitive key of the result redacted at any depth. */
function redactedError(err: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(err as Error);
  if (serialized === null || typeof serialized !== 'object') return serialized;
  // The serializer's object has a prototype of its own; a JSON copy is plain, so redactSecrets walks all of it.
  return redactSecrets(JSON.parse(JSON.stringify(serialized)) as unknown);
}

/**
 * pino formats a child's bindings without the `bindings` formatter (that one is for the root's): redact them here.
 * A pino child inherits from its parent, so each logger gets its own `child` calling pino's.
 */
type ChildFn = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;

function redactingChildren(
  logger: Logger,
  // pino's own method, always called with `.call(logger)` below.
  pinoChild = Reflect.get(logger, 'child') as unknown as ChildFn,
): Logger {
  const child = (bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) =>
    redactingChildren(pinoChild.call(logger, redactSecrets(bindings), childOptions), pinoChild);
  logger.child = child as unknown as Logger['child'];
  return logger;
}

/**
 * JSON lines to stdout (or to `destination`, e.g. the all-in-one's pretty printer); credentials and tokens never
 * reach a log line: sensitive keys are redacted at any depth of a logged object and of a child's bindings.
 */
export function createLogger(options: {
  level: string;
  name: string;
  destination?: DestinationStream;
}): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    // An error is serialized after the formatters have run, so what it carries (fields added to it, a response's
    // headers) is redacted here. pino's wildcard redact paths did the same on every line, errors or not, and cost a
    // worker about a tenth of its CPU.
    serializers: { err: redactedError },
    formatters: {
      log: (obj: Record<string, unknown>) => redactSecrets(obj),
      bindings: (bindings: Record<string, unknown>) => redactSecrets(bindings),
    },
  };
  return redactingChildren(options.destination ? pino(settings, options.destination) : pino(settings));
}

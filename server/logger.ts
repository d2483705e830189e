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

/**
 * pino's own redaction (fast-redact) for fixed paths: it also covers what serializers produce, e.g. the fields an
 * `err` carries (`err.response.headers.authorization`). Header names are written as sent.
 */
const NAMES = [
  'credentials',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  '["x-api-key"]',
  '["set-cookie"]',
  '["proxy-authorization"]',
];
const REDACT_PATHS = NAMES.flatMap((n) => {
  const key = n.startsWith('[') ? n : `.${n}`;
  return [n, `*${key}`, `*.*${key}`, `err.*.*${key}`];
});

const MAX_DEPTH = 10;

/**
 * Copies plain objects and arrays with every sensitive key's value replaced, at any depth (fast-redact paths cannot
 * say "anywhere"). Other values (errors, dates, buffers) are left to the serializers and the fixed paths above.
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
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      log: (obj: Record<string, unknown>) => redactSecrets(obj),
      bindings: (bindings: Record<string, unknown>) => redactSecrets(bindings),
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * Secure by default at start: production never runs without API keys, and the all-in-one runs open (no keys)
 * only while it listens on a loopback address, where nobody else can reach it.
 */
import type { Config } from '../config.ts';
import type { AuthMode } from './policy.ts';

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export type AuthStartup = { ok: true; mode: AuthMode } | { ok: false; problem: string };

/**
 * The auth mode a server role starts with, or why it must not start. The all-in-one defaults to `off` on a
 * loopback HOST when API_AUTH is not set; every other role defaults to `required`.
 */
export function resolveAuthStartup(config: Config, role: 'api' | 'all-in-one'): AuthStartup {
  const loopback = isLoopbackHost(config.http.host);
  const mode: AuthMode =
    role === 'all-in-one' && !config.auth.modeSet ? (loopback ? 'off' : 'required') : config.auth.mode;
  if (mode === 'off' && config.env === 'production') {
    return {
      ok: false,
      problem:
        'API_AUTH=off is refused with NODE_ENV=production: every API request must carry an API key. ' +
        'Remove API_AUTH (it defaults to required) and create a key with `npm run apikey -- create --role admin --name <you>`.',
    };
  }
  if (mode === 'off' && role === 'all-in-one' && !loopback) {
    return {
      ok: false,
      problem:
        `API_AUTH=off is refused on HOST=${config.http.host}: without API keys the API may only listen on a ` +
        'loopback address (HOST=127.0.0.1). Set API_AUTH=required and create a key with ' +
        '`npm run apikey -- create --role admin --name <you>`, or bind to 127.0.0.1.',
    };
  }
  return { ok: true, mode };
}

/** The config with the resolved mode, or exits 1 with the problem (for entrypoints). */
export function applyAuthStartupOrExit(config: Config, role: 'api' | 'all-in-one'): Config {
  const result = resolveAuthStartup(config, role);
  if (!result.ok) {
    console.error(`Refusing to start: ${result.problem}`);
    process.exit(1);
  }
  if (result.mode === config.auth.mode) return config;
  return Object.freeze({ ...config, auth: Object.freeze({ ...config.auth, mode: result.mode }) });
}

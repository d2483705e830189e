/**
 * Shared kit for local platform emulators: a plain node:http server that speaks a platform's wire protocol, with
 * an injectable clock, a request log, scripted faults and an admin API, so connector tests exercise the
 * production HTTP path against behaviour that is hard to get from a real sandbox (rate limits, expiry, lag).
 *
 * ## Starting an emulator
 * ```ts
 * const clock = createClock();                 // optional: pass your own to build buckets/stores before start
 * const emu = await startEmulator({
 *   name: 'nuvemshop',
 *   clock,
 *   handle: router.handle,                     // (req: EmulatorRequest) => EmulatorResponse | undefined (→ 404)
 *   reset: () => state.clear(),                // platform state back to empty (admin reset)
 *   seed: (body) => state.load(body),          // platform-specific JSON from POST /__admin/seed; return value is echoed
 * });
 * emu.url; emu.port;                           // http://127.0.0.1:<port> (port 0 by default)
 * emu.clock.advance(6 * 3600_000);             // every time-dependent behaviour must read emu.clock.now()
 * emu.requests.all();                          // RequestLogEntry[] (admin calls are not logged)
 * emu.faults.add({ method: 'GET', path: '^/products$', nth: 2, status: 502 });
 * await emu.close();                           // also destroys hanging connections
 * ```
 *
 * ## Handler contract
 * `handle(req)` gets `{ method, path, query, headers, body, rawBody, bodyError, clock, params }` where `query` is a
 * {@link ParsedQuery} (`get('a')`, `all('a')` merging `a` and `a[]`, `has`), `body` is parsed JSON (application/json),
 * a `Record<string,string>` (x-www-form-urlencoded) or undefined, and `bodyError` is true when JSON did not parse.
 * It returns `{ status, body?, headers?, raw? }` (`json(status, body, headers)` builds one; `raw` is sent verbatim),
 * or undefined for a 404. A thrown error becomes a 500 with the message. `createRouter()` gives `on(method,
 * '/orders/:id', fn)` routes with `req.params`.
 *
 * ## Clock
 * `createClock()` starts at real time and keeps running with it (`now() = Date.now() + offset`); `advance(ms)` and
 * `set(ms)` move the offset, so tests can jump over a token TTL or a rate window without sleeping.
 *
 * ## Request log
 * Each platform call is logged as {@link RequestLogEntry}: method, path, query (all values per key), a few headers
 * (content-type, user-agent, enable-jwt, idempotency keys, plus `logHeaders`), `hasAuthorization` (Authorization or
 * Authentication header present — never the secret itself), body, status (0 when hung or reset), `fault` (id of the
 * rule that fired), `clockMs` (emulator clock at arrival) and `wallMs` (Date.now() at arrival).
 *
 * ## Faults
 * {@link FaultRule}: `method?` and `path` (a RegExp source matched against the path, e.g. `'^/produtos$'`) select
 * calls; every matching call is counted per rule. `nth` (1-based) fires on that matching call (then `times` more
 * calls, default 1); without `nth` it fires on every matching call, at most `times` (default unlimited). What it does:
 * `status` (+`body`, `headers`) replies instead of the handler; `invalidJson` replies a truncated JSON body
 * (status default 200); `hang` never replies (client timeout); `reset` destroys the socket (ECONNRESET);
 * `delayMs` alone runs the handler and delays the reply (wall clock), with `status` it delays the fault reply.
 * `afterHandler: true` with hang/reset runs the handler first (the write happened, the reply was lost).
 * First rule that fires wins.
 *
 * ## Admin API (same server, not logged, never faulted)
 * - `POST /__admin/reset` → platform reset + faults cleared + log cleared + clock back to real time
 * - `POST /__admin/seed` (platform JSON) → `{ ok: true, result }`
 * - `POST /__admin/clock` `{ "advanceMs": n }` | `{ "setMs": n }` → `{ nowMs }`; `GET /__admin/clock` → `{ nowMs }`
 * - `POST /__admin/faults` (a rule or an array of rules) → `{ ids }`; `DELETE /__admin/faults`; `GET /__admin/faults`
 * - `GET /__admin/requests` → `{ requests: RequestLogEntry[] }`; `DELETE /__admin/requests` clears it
 *
 * ## Helpers for platforms
 * - `createTokenBucket({ clock, capacity, refillPerSecond })`: token/leaky bucket on the emulator clock
 *   (`take()` → `{ ok, remaining, retryAfterMs }`, `state()` → level, remaining, msUntilEmpty).
 * - `createSlidingCounter({ clock, windowMs })`: events in the last window (Bling's "300 errors in 10 s").
 * - `toSecond(ms)`: 1-second resolution stamps (updated_at ties); `formatLocalDateTime(ms, offsetMin)` →
 *   `YYYY-MM-DD HH:MM:SS`, `formatOffsetIso(ms, offsetMin)` → `…T…-03:00`, `parseLocalDateTime(s, offsetMin)`.
 * - `createLaggedStore({ clock, lagMs })`: eventual consistency — `get(id)` sees a write at once, `listVisible()`
 *   (lists, searches, date filters) sees it only `lagMs` after the write (the previous version until then).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// Clock

export interface EmulatorClock {
  /** Emulator time in epoch ms. */
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
  /** Back to real time. */
  reset(): void;
}

export function createClock(): EmulatorClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
    set(ms) {
      offset = ms - Date.now();
    },
    reset() {
      offset = 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and responses

export interface ParsedQuery {
  /** Every key as sent (a repeated key keeps every value, in order). */
  readonly raw: Readonly<Record<string, string[]>>;
  /** First value of `name` (or `name[]`). */
  get(name: string): string | undefined;
  /** All values of `name` and `name[]`. */
  all(name: string): string[];
  has(name: string): boolean;
}

export function parseQuery(search: string): ParsedQuery {
  const raw: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(search.startsWith('?') ? search.slice(1) : search)) {
    (raw[k] ??= []).push(v);
  }
  const all = (name: string) => [...(raw[name] ?? []), ...(raw[`${name}[]`] ?? [])];
  return { raw, get: (name) => all(name)[0], all, has: (name) => all(name).length > 0 };
}

export interface EmulatorRequest {
  method: string;
  path: string;
  query: ParsedQuery;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
  /** The body claimed to be JSON and did not parse. */
  bodyError: boolean;
  clock: EmulatorClock;
  /** Filled by `createRouter` from `:name` segments. */
  params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent verbatim instead of JSON-encoding `body`. */
  raw?: string;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse {
  return headers ? { status, body, headers } : { status, body };
}

export type EmulatorHandler = (
  req: EmulatorRequest,
) => EmulatorResponse | undefined | Promise<EmulatorResponse | undefined>;

export interface Router {
  on(method: string, pattern: string, handler: EmulatorHandler): Router;
  handle: EmulatorHandler;
}

/** Routes by method and a path pattern with `:name` segments. */
export function createRouter(): Router {
  const routes: { method: string; re: RegExp; names: string[]; handler: EmulatorHandler }[] = [];
  const router: Router = {
    on(method, pattern, handler) {
      const names: string[] = [];
      const source = pattern
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) {
            names.push(seg.slice(1));
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      routes.push({ method: method.toUpperCase(), re: new RegExp(`^${source}/?$`), names, handler });
      return router;
    },
    handle(req) {
      for (const r of routes) {
        if (r.method !== req.method) continue;
        const m = r.re.exec(req.path);
        if (!m) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
        return r.handler({ ...req, params });
      }
      return undefined;
    },
  };
  return router;
}

// ---------------------------------------------------------------------------------------------------------------
// Request log

export interface RequestLogEntry {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  hasAuthorization: boolean;
  body: unknown;
  /** 0 when the call hung or its socket was reset. */
  status: number;
  fault?: string;
  clockMs: number;
  wallMs: number;
}

export interface RequestLog {
  all(): RequestLogEntry[];
  clear(): void;
}

const LOGGED_HEADERS = ['content-type', 'user-agent', 'enable-jwt', 'idempotency-key', 'x-idempotency-key'];

// ---------------------------------------------------------------------------------------------------------------
// Faults

export interface FaultRule {
  method?: string;
  /** RegExp source matched against the request path. */
  path: string;
  /** 1-based index of the matching call that fires the rule. */
  nth?: number;
  /** How many calls fire (default 1 with `nth`, unlimited without). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
  invalidJson?: boolean;
  /** With hang/reset: run the handler first (the write happened, the reply was lost). */
  afterHandler?: boolean;
}

export interface FaultSet {
  add(rule: FaultRule | FaultRule[]): string[];
  clear(): void;
  list(): (FaultRule & { id: string; matched: number; fired: number })[];
}

interface ActiveRule extends FaultRule {
  id: string;
  re: RegExp;
  matched: number;
  fired: number;
}

function createFaultSet(): FaultSet & { pick(method: string, path: string): ActiveRule | undefined } {
  let rules: ActiveRule[] = [];
  let nextId = 1;
  return {
    add(rule) {
      const list = Array.isArray(rule) ? rule : [rule];
      return list.map((r) => {
        if (typeof r.path !== 'string') throw new Error('fault rule needs a path (RegExp source)');
        const active: ActiveRule = { ...r, id: `f${nextId++}`, re: new RegExp(r.path), matched: 0, fired: 0 };
        rules.push(active);
        return active.id;
      });
    },
    clear() {
      rules = [];
    },
    list: () => rules.map(({ re: _re, ...r }) => r),
    pick(method, path) {
      let chosen: ActiveRule | undefined;
      for (const r of rules) {
        if (r.method && r.method.toUpperCase() !== method) continue;
        if (!r.re.test(path)) continue;
        r.matched++;
        if (chosen) continue;
        const times = r.times ?? (r.nth !== undefined ? 1 : Infinity);
        const from = r.nth ?? 1;
        if (r.matched >= from && r.fired < times) {
          r.fired++;
          chosen = r;
        }
      }
      return chosen;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Server

export interface EmulatorOptions {
  name: string;
  handle: EmulatorHandler;
  /** Platform state back to empty. */
  reset?(): void;
  /** Loads platform-specific seed JSON; the return value is echoed by the admin API. */
  seed?(body: unknown): unknown;
  clock?: EmulatorClock;
  host?: string;
  port?: number;
  /** Extra request headers to record in the log. */
  logHeaders?: string[];
}

export interface Emulator {
  name: string;
  url: string;
  port: number;
  clock: EmulatorClock;
  requests: RequestLog;
  faults: FaultSet;
  /** Same as POST /__admin/reset. */
  reset(): void;
  close(): Promise<void>;
}

const INVALID_JSON_BODY = '{"data":[{"id":1,"nome":';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(contentType: string | undefined, raw: string): { body: unknown; bodyError: boolean } {
  if (raw === '') return { body: undefined, bodyError: false };
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(raw)), bodyError: false };
  }
  if (type.includes('json') || type === '') {
    try {
      return { body: JSON.parse(raw) as unknown, bodyError: false };
    } catch {
      return { body: undefined, bodyError: true };
    }
  }
  return { body: undefined, bodyError: false };
}

function send(res: ServerResponse, r: EmulatorResponse): void {
  const payload = r.raw ?? (r.body === undefined ? '' : JSON.stringify(r.body));
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (payload !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const clock = options.clock ?? createClock();
  const faults = createFaultSet();
  let log: RequestLogEntry[] = [];
  let seq = 0;
  const sockets = new Set<Socket>();
  const loggedHeaders = [...LOGGED_HEADERS, ...(options.logHeaders ?? []).map((h) => h.toLowerCase())];

  const resetAll = () => {
    options.reset?.();
    faults.clear();
    log = [];
    clock.reset();
  };

  const admin = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const action = req.path.slice('/__admin/'.length);
    if (req.bodyError) return json(400, { error: 'invalid JSON body' });
    switch (`${req.method} ${action}`) {
      case 'POST reset':
        resetAll();
        return json(200, { ok: true });
      case 'POST seed':
        if (!options.seed) return json(404, { error: `${options.name} has no seed` });
        return json(200, { ok: true, result: (await options.seed(req.body)) ?? null });
      case 'GET clock':
        return json(200, { nowMs: clock.now() });
      case 'POST clock': {
        const b = (req.body ?? {}) as { advanceMs?: unknown; setMs?: unknown };
        if (typeof b.advanceMs === 'number') clock.advance(b.advanceMs);
        else if (typeof b.setMs === 'number') clock.set(b.setMs);
        else return json(400, { error: 'expected {advanceMs} or {setMs} as numbers' });
        return json(200, { nowMs: clock.now() });
      }
      case 'GET faults':
        return json(200, { faults: faults.list() });
      case 'POST faults':
        return json(200, { ids: faults.add(req.body as FaultRule | FaultRule[]) });
      case 'DELETE faults':
        faults.clear();
        return json(200, { ok: true });
      case 'GET requests':
        return json(200, { requests: log });
      case 'DELETE requests':
        log = [];
        return json(200, { ok: true });
      default:
        return json(404, { error: `unknown admin call ${req.method} ${req.path}` });
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      const wallMs = Date.now();
      const clockMs = clock.now();
      const url = new URL(req.url ?? '/', 'http://emulator');
      const rawBody = await readBody(req);
      const { body, bodyError } = parseBody(req.headers['content-type'], rawBody);
      const ereq: EmulatorRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: parseQuery(url.search),
        headers: req.headers,
        body,
        rawBody,
        bodyError,
        clock,
        params: {},
      };

      if (ereq.path.startsWith('/__admin/')) {
        try {
          send(res, await admin(ereq));
        } catch (err) {
          send(res, json(400, { error: err instanceof Error ? err.message : String(err) }));
        }
        return;
      }

      const headers: Record<string, string> = {};
      for (const h of loggedHeaders) {
        const v = req.headers[h];
        if (v !== undefined) headers[h] = Array.isArray(v) ? v.join(', ') : v;
      }
      const entry: RequestLogEntry = {
        seq: ++seq,
        method: ereq.method,
        path: ereq.path,
        query: ereq.query.raw,
        headers,
        hasAuthorization: Boolean(req.headers.authorization ?? req.headers.authentication),
        body: body ?? (rawBody === '' ? undefined : rawBody),
        status: 0,
        clockMs,
        wallMs,
      };
      log.push(entry);

      const runHandler = async (): Promise<EmulatorResponse> => {
        try {
          return (await options.handle(ereq)) ?? json(404, { error: `no route ${ereq.method} ${ereq.path}` });
        } catch (err) {
          return json(500, { error: err instanceof Error ? err.message : String(err) });
        }
      };

      const rule = faults.pick(ereq.method, ereq.path);
      if (rule) entry.fault = rule.id;
      let response: EmulatorResponse;
      if (rule?.hang || rule?.reset) {
        if (rule.afterHandler) await runHandler();
        if (rule.reset) req.socket.destroy();
        // A hung call keeps its socket open until the client gives up or the emulator closes.
        return;
      } else if (rule?.invalidJson) {
        response = { status: rule.status ?? 200, raw: INVALID_JSON_BODY, headers: rule.headers ?? {} };
      } else if (rule?.status !== undefined) {
        response = {
          status: rule.status,
          body: rule.body ?? { error: 'injected fault' },
          headers: rule.headers ?? {},
        };
      } else {
        response = await runHandler();
      }
      if (rule?.delayMs) await sleep(rule.delayMs);
      entry.status = response.status;
      if (!res.destroyed) send(res, response);
    })().catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, json(500, { error: String(err) }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    name: options.name,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    clock,
    requests: { all: () => log, clear: () => (log = []) },
    faults: { add: (r) => faults.add(r), clear: () => faults.clear(), list: () => faults.list() },
    reset: resetAll,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rate-limit helpers (on the emulator clock)

export interface TokenBucketState {
  capacity: number;
  /** Tokens left (a leaky bucket's free room). */
  remaining: number;
  /** Calls in the bucket (a leaky bucket's fill level). */
  level: number;
  /** Time until the bucket is full of tokens again (a leaky bucket empty). */
  msUntilFull: number;
}

export interface TokenBucket {
  take(n?: number): { ok: boolean; remaining: number; retryAfterMs: number };
  state(): TokenBucketState;
  reset(): void;
}

/**
 * A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. The same thing seen from the
 * other side is a leaky bucket of size `capacity` leaking at that rate (Shopify, Nuvemshop).
 */
export function createTokenBucket(opts: {
  clock: EmulatorClock;
  capacity: number;
  refillPerSecond: number;
}): TokenBucket {
  let tokens = opts.capacity;
  let at = opts.clock.now();
  const refill = () => {
    const now = opts.clock.now();
    if (now > at) tokens = Math.min(opts.capacity, tokens + ((now - at) / 1000) * opts.refillPerSecond);
    at = now;
  };
  const state = (): TokenBucketState => ({
    capacity: opts.capacity,
    remaining: Math.floor(tokens),
    level: opts.capacity - Math.floor(tokens),
    msUntilFull: Math.ceil(((opts.capacity - tokens) / opts.refillPerSecond) * 1000),
  });
  return {
    take(n = 1) {
      refill();
      if (tokens >= n) {
        tokens -= n;
        return { ok: true, remaining: Math.floor(tokens), retryAfterMs: 0 };
      }
      return {
        ok: false,
        remaining: Math.floor(tokens),
        retryAfterMs: Math.ceil(((n - tokens) / opts.refillPerSecond) * 1000),
      };
    },
    state() {
      refill();
      return state();
    },
    reset() {
      tokens = opts.capacity;
      at = opts.clock.now();
    },
  };
}

export interface SlidingCounter {
  /** Records an event now and returns the count in the window including it. */
  hit(): number;
  count(): number;
  reset(): void;
}

/** Counts events in the last `windowMs` of emulator time. */
export function createSlidingCounter(opts: { clock: EmulatorClock; windowMs: number }): SlidingCounter {
  let stamps: number[] = [];
  const prune = () => {
    const from = opts.clock.now() - opts.windowMs;
    let i = 0;
    while (i < stamps.length && (stamps[i] ?? 0) <= from) i++;
    if (i > 0) stamps = stamps.slice(i);
  };
  return {
    hit() {
      prune();
      stamps.push(opts.clock.now());
      return stamps.length;
    },
    count() {
      prune();
      return stamps.length;
    },
    reset() {
      stamps = [];
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Time stamps

/** Truncates to whole seconds: platforms stamp updated_at with 1-s resolution, so writes in one second tie. */
export function toSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function shifted(ms: number, offsetMinutes: number): string {
  const d = new Date(toSecond(ms) + offsetMinutes * 60_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DD HH:MM:SS` in a fixed UTC offset (São Paulo is −180 since 2019), no offset suffix. */
export function formatLocalDateTime(ms: number, offsetMinutes: number): string {
  return shifted(ms, offsetMinutes).replace('T', ' ');
}

/** ISO-8601 with the offset written out, e.g. `2025-03-01T09:00:00-04:00`. */
export function formatOffsetIso(ms: number, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted(ms, offsetMinutes)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Parses `YYYY-MM-DD[ HH:MM[:SS]]` read as local time in `offsetMinutes`; NaN when malformed. */
export function parseLocalDateTime(text: string, offsetMinutes: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return NaN;
  return utc - offsetMinutes * 60_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Eventual consistency

export interface LaggedStore<T> {
  /** Writes a new version now. */
  put(id: string, record: T): void;
  /** The latest version (reads by id are consistent). */
  get(id: string): T | undefined;
  /** Every latest version, visible or not. */
  all(): T[];
  /** What lists, searches and date filters see: per id, the newest version written at least `lagMs` ago. */
  listVisible(): T[];
  delete(id: string): void;
  clear(): void;
  setLag(ms: number): void;
}

export function createLaggedStore<T>(opts: { clock: EmulatorClock; lagMs?: number }): LaggedStore<T> {
  let lag = opts.lagMs ?? 0;
  // Versions per id, oldest first, insertion order of ids kept.
  const versions = new Map<string, { at: number; record: T }[]>();
  return {
    put(id, record) {
      const list = versions.get(id) ?? [];
      const now = opts.clock.now();
      // Versions older than the newest already-visible one can never be listed again.
      const visibleIdx = list.findLastIndex((v) => v.at + lag <= now);
      const kept = visibleIdx > 0 ? list.slice(visibleIdx) : list;
      kept.push({ at: now, record });
      versions.set(id, kept);
    },
    get: (id) => versions.get(id)?.at(-1)?.record,
    all: () => [...versions.values()].flatMap((l) => (l.length ? [l[l.length - 1]!.record] : [])),
    listVisible() {
      const now = opts.clock.now();
      const out: T[] = [];
      for (const list of versions.values()) {
        const v = list.findLast((x) => x.at + lag <= now);
        if (v) out.push(v.record);
      }
      return out;
    },
    delete: (id) => void versions.delete(id),
    clear: () => versions.clear(),
    setLag(ms) {
      lag = ms;
    },
  };
}

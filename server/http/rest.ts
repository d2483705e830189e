/**
 * The REST shim: exactly the seed's endpoints and bodies, translated onto the same service layer as GraphQL.
 * Every failure is a 4xx/5xx with {"error": {"code", "message", "details"}}; nothing here holds a business rule.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { JOB_STATUSES, PRIORITIES, QUEUE_NAMES, SYNC_TYPES } from '../../db/types.ts';
import type { JobOperations } from '../../schema/context.ts';
import type { AccessControl } from '../auth/access-control.ts';
import type { Operation } from '../auth/policy.ts';
import { AppError, coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { rateLimitCaller, type WriteRateLimiter } from '../security/rate-limit.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import { parseInput } from '../validation.ts';
import {
  formatCreated,
  formatJob,
  formatJobEvent,
  formatQueueStats,
  parseJobBody,
  snakeKeys,
  toSnakeCase,
} from './rest-format.ts';

export interface RestDeps {
  /** Authenticates the Bearer key, applies the policy, and gives the services as the caller may use them. */
  access: Pick<AccessControl, 'authenticate' | 'authorize' | 'contextFor'>;
  bodyLimitBytes: number;
  /** Counts POST/DELETE against the caller's write limit (429 RATE_LIMITED with Retry-After over it). */
  writeLimiter?: WriteRateLimiter;
  log: Logger;
}

interface RestRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body(): Promise<unknown>;
  header(name: string): string | undefined;
}

interface RestResponse {
  status: number;
  body: unknown;
}

type Handler = (req: RestRequest, jobs: JobOperations) => Promise<RestResponse>;

/** A route's handler with the policy operation it performs. */
interface GuardedHandler {
  operation: Operation;
  run: Handler;
}

const guarded = (operation: Operation, run: Handler): GuardedHandler => ({ operation, run });

interface Route {
  pattern: RegExp;
  methods: Record<string, GuardedHandler>;
}

const list = (values: readonly string[]) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim().toUpperCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.enum(values as [string, ...string[]], {
          message: `must be one of ${values.join(', ').toLowerCase()}`,
        }),
      ),
    );

const listQuerySchema = z
  .object({
    status: list(JOB_STATUSES).optional(),
    sync_type: list(SYNC_TYPES).optional(),
    priority: list(PRIORITIES).optional(),
    queue: z
      .string()
      .transform((s) => s.split(',').map((v) => v.trim()))
      .pipe(z.array(z.enum(QUEUE_NAMES)))
      .optional(),
    integration_id: z.string().optional(),
    parent_id: z.string().optional(),
    top_level: z.enum(['true', 'false']).optional(),
    created_after: z.string().optional(),
    created_before: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key in out)
      throw new AppError('VALIDATION_FAILED', `${key}: give it once (use commas for several values)`);
    out[key] = value;
  }
  return out;
}

function rejectUnknownParams(query: URLSearchParams, allowed: string[]): void {
  const unknown = [...query.keys()].filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new AppError('UNKNOWN_PARAMETER', `Unknown query parameter(s): ${unknown.join(', ')}`, {
      unknown,
      allowed,
    });
  }
}

function createRoutes(): Route[] {
  return [
    {
      pattern: /^\/api\/sync\/jobs\/bulk$/,
      methods: {
        POST: guarded('jobs.bulkCreate', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const body = await req.body();
          const parsed = parseInput(z.object({ jobs: z.array(z.unknown()) }).strict(), body);
          const created = await jobs.bulkCreate(parsed.jobs.map(parseJobBody));
          const fresh = created.filter((c) => !c.deduplicated).length;
          return {
            status: 201,
            body: { jobs: created.map(formatCreated), created: fresh, deduplicated: created.length - fresh },
          };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/jobs\/(?<id>[^/]+)\/retry$/,
      methods: {
        POST: guarded('jobs.retry', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const created = await jobs.retry(req.params.id);
          return { status: created.deduplicated ? 200 : 201, body: formatCreated(created) };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/jobs\/(?<id>[^/]+)\/reschedule$/,
      methods: {
        POST: guarded('jobs.reschedule', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const body = parseInput(z.object({ run_at: z.unknown() }).strict(), await req.body());
          const result = await jobs.reschedule(req.params.id, body.run_at);
          return { status: result.job.id === req.params.id ? 200 : 201, body: formatCreated(result) };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/jobs\/(?<id>[^/]+)\/events$/,
      methods: {
        GET: guarded('jobs.read', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const events = await jobs.events(req.params.id);
          return { status: 200, body: { events: events.map(formatJobEvent) } };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/jobs\/(?<id>[^/]+)$/,
      methods: {
        GET: guarded('jobs.read', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const job = await jobs.get(req.params.id);
          if (!job) throw new AppError('JOB_NOT_FOUND', `Job ${req.params.id} does not exist`);
          return { status: 200, body: formatJob(job) };
        }),
        DELETE: guarded('jobs.cancel', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const job = await jobs.cancel(req.params.id);
          // 202: a running job was told to stop and will record CANCELLED at its next checkpoint.
          return { status: job.status === 'CANCELLED' ? 200 : 202, body: formatJob(job) };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/jobs$/,
      methods: {
        POST: guarded('jobs.create', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const body = parseJobBody(await req.body());
          const key = req.header('idempotency-key');
          const input = key && body && typeof body === 'object' ? { idempotencyKey: key, ...body } : body;
          const created = await jobs.create(input);
          return { status: created.deduplicated ? 200 : 201, body: formatCreated(created) };
        }),
        GET: guarded('jobs.read', async (req, jobs) => {
          rejectUnknownParams(req.query, Object.keys(listQuerySchema.shape));
          const q = parseInput(listQuerySchema, queryObject(req.query));
          const filter = {
            ...(q.status ? { status: q.status } : {}),
            ...(q.sync_type ? { syncType: q.sync_type } : {}),
            ...(q.priority ? { priority: q.priority } : {}),
            ...(q.queue ? { queue: q.queue } : {}),
            ...(q.integration_id ? { integrationId: q.integration_id } : {}),
            ...(q.parent_id ? { parentId: q.parent_id } : {}),
            ...(q.top_level === 'true' ? { topLevel: true } : {}),
            ...(q.created_after ? { createdAfter: q.created_after } : {}),
            ...(q.created_before ? { createdBefore: q.created_before } : {}),
          };
          const page = await jobs.list(filter, { first: q.limit, offset: q.offset });
          return {
            status: 200,
            body: {
              jobs: page.jobs.map((j) => formatJob(j)),
              total: page.totalCount,
              limit: q.limit,
              offset: q.offset,
            },
          };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/queue\/stats$/,
      methods: {
        GET: guarded('queues.read', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          return { status: 200, body: formatQueueStats(await jobs.stats()) };
        }),
      },
    },
    {
      pattern: /^\/api\/sync\/quick$/,
      methods: {
        POST: guarded('jobs.quickSync', async (req, jobs) => {
          rejectUnknownParams(req.query, []);
          const created = await jobs.quickSync(parseJobBody(await req.body()));
          return { status: 201, body: { jobs: created.map(formatCreated) } };
        }),
      },
    },
  ];
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the body as JSON with Content-Type: application/json',
      {
        received: type || null,
      },
    );
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Body of ${declared} bytes exceeds the ${limit}-byte limit`, {
      limit,
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AppError('PAYLOAD_TOO_LARGE', `Body exceeds the ${limit}-byte limit`, { limit });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new AppError('INVALID_JSON', 'The request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('INVALID_JSON', `The request body is not valid JSON: ${coerceError(err).message}`);
  }
}

/** camelCase field names in messages and problem paths become the REST API's snake_case. */
function restError(err: AppError): { code: string; message: string; details: unknown } {
  const snake = (s: string) => s.replace(/\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g, toSnakeCase);
  const details = snakeKeys(err.details ?? null) as { problems?: { path: string; message: string }[] } | null;
  if (details?.problems) details.problems = details.problems.map((p) => ({ ...p, path: snake(p.path) }));
  return { code: err.code, message: snake(err.message), details };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function createRestHandler(deps: RestDeps) {
  const routes = createRoutes();

  function send(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
    });
    res.end(payload);
  }

  return async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      const principal = await deps.access.authenticate(headerValue(req, 'authorization'));
      const match = routes
        .map((route) => ({ route, m: route.pattern.exec(url.pathname.replace(/\/+$/, '') || '/') }))
        .find((r) => r.m);
      if (!match?.m) throw new AppError('NOT_FOUND', `No endpoint ${method} ${url.pathname}`);
      const handler = match.route.methods[method];
      if (!handler) {
        res.setHeader('allow', Object.keys(match.route.methods).join(', '));
        throw new AppError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`, {
          allowed: Object.keys(match.route.methods),
        });
      }
      deps.access.authorize(principal, handler.operation);
      if ((method === 'POST' || method === 'DELETE') && deps.writeLimiter)
        await deps.writeLimiter.enforce(rateLimitCaller(principal?.keyId, req.socket.remoteAddress));
      const { jobs } = deps.access.contextFor(principal);
      const response = await handler.run(
        {
          method,
          params: { ...(match.m.groups ?? {}) },
          query: url.searchParams,
          body: () => readBody(req, deps.bodyLimitBytes),
          header: (name) => headerValue(req, name),
        },
        jobs,
      );
      send(res, response.status, response.body);
    } catch (err) {
      if (err instanceof AppError) {
        if (err.code === 'PAYLOAD_TOO_LARGE') res.setHeader('connection', 'close');
        if (err.code === 'RATE_LIMITED')
          res.setHeader('retry-after', String((err.details as { retryAfter: number }).retryAfter));
        if (err.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
        send(res, err.httpStatus, { error: restError(err) });
        return;
      }
      if (isDatabaseUnavailable(err)) {
        // A Postgres restart or failover: a clear, retryable refusal, not a 500.
        deps.log.warn({ err, method, path: url.pathname }, 'database unavailable');
        res.setHeader('retry-after', '1');
        send(res, 503, {
          error: {
            code: 'SERVICE_UNAVAILABLE',
            message: 'The database is unreachable; try again shortly',
            details: null,
          },
        });
        return;
      }
      deps.log.error({ err, method, path: url.pathname }, 'unexpected error in REST handler');
      send(res, 500, {
        error: { code: 'INTERNAL_ERROR', message: 'Unexpected server error', details: null },
      });
    }
  };
}

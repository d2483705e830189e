/**
 * `GET /api/sync/jobs/{job_id}/logs`: the newest log lines of a job (REST shape of `SyncJob.logs`). A small handler
 * of its own, mounted beside the REST shim; same error body as the shim: {"error": {"code", "message", "details"}}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AccessControl } from '../auth/access-control.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validation.ts';

const PATH = /^\/api\/sync\/jobs\/(?<id>[^/]+)\/logs\/?$/;

export interface JobLogsRoute {
  /** Whether this handler answers the path. */
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createJobLogsRoute(deps: {
  /** The same key check and policy as the REST shim. */
  access: Pick<AccessControl, 'authenticate' | 'authorize' | 'contextFor'>;
  log: Logger;
}): JobLogsRoute {
  function send(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
    });
    res.end(payload);
  }

  return {
    matches: (path) => PATH.test(path),
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const principal = await deps.access.authenticate(req.headers.authorization);
        deps.access.authorize(principal, 'jobs.read');
        const { jobs, monitor } = deps.access.contextFor(principal);
        if (req.method !== 'GET') {
          res.setHeader('allow', 'GET');
          throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`, {
            allowed: ['GET'],
          });
        }
        const unknown = [...url.searchParams.keys()].filter((k) => k !== 'limit');
        if (unknown.length > 0) {
          throw new AppError('UNKNOWN_PARAMETER', `Unknown query parameter(s): ${unknown.join(', ')}`, {
            unknown,
            allowed: ['limit'],
          });
        }
        const { limit } = parseInput(
          z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(200) }),
          Object.fromEntries(url.searchParams),
        );
        const id = PATH.exec(url.pathname)?.groups?.id ?? '';
        const job = await jobs.get(id);
        if (!job) throw new AppError('JOB_NOT_FOUND', `Job ${id} does not exist`);
        const lines = await monitor.jobLogs(job.id, limit);
        send(res, 200, {
          job_id: job.id,
          logs: lines.map((l) => ({
            at: l.at.toISOString(),
            level: l.level.toLowerCase(),
            attempt: l.attempt,
            message: l.message,
            data: l.data,
            worker_id: l.workerId,
          })),
        });
      } catch (err) {
        if (err instanceof AppError) {
          if (err.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
          send(res, err.httpStatus, {
            error: { code: err.code, message: err.message, details: err.details ?? null },
          });
          return;
        }
        deps.log.error({ err, path: url.pathname }, 'unexpected error in REST handler');
        send(res, 500, {
          error: { code: 'INTERNAL_ERROR', message: 'Unexpected server error', details: null },
        });
      }
    },
  };
}

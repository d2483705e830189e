/**
 * The item ledger as CSV: `GET /api/sync/jobs/{job_id}/items.csv` (one job's items) and
 * `GET /api/sync/items.csv?integration_id=&sku=&job_id=&outcome=&resource=&limit=` (a search). RFC 4180 quoting
 * (a field with a comma, quote or line break is quoted, quotes doubled), CRLF line ends, newest rows first. Errors
 * are JSON like the REST shim's: {"error": {"code", "message", "details"}}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ItemLedgerEntry } from '../../db/types.ts';
import type { AccessControl } from '../auth/access-control.ts';
import { AppError } from '../errors.ts';
import { MAX_LEDGER_PAGE } from '../hub/ledger-service.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validation.ts';

const JOB_PATH = /^\/api\/sync\/jobs\/(?<id>[^/]+)\/items\.csv$/;
const SEARCH_PATH = /^\/api\/sync\/items\.csv$/;

const COLUMNS = [
  'id',
  'at',
  'job_id',
  'integration_id',
  'resource',
  'key',
  'action',
  'outcome',
  'error_code',
  'error_message',
  'before',
  'after',
] as const;

/** One CSV field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function rowOf(e: ItemLedgerEntry): string {
  return csvRow([
    e.id,
    e.at,
    e.job_id,
    e.integration_id,
    e.resource,
    e.item_key,
    e.action,
    e.outcome,
    e.error_code,
    e.error_message,
    e.before ?? null,
    e.after ?? null,
  ]);
}

const searchParams = z
  .object({
    integration_id: z.string().optional(),
    sku: z.string().optional(),
    key: z.string().optional(),
    job_id: z.string().optional(),
    outcome: z.string().optional(),
    resource: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  })
  .strict();

export interface ItemsCsvRoute {
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createItemsCsvRoute(deps: {
  access: Pick<AccessControl, 'authenticate' | 'authorize' | 'contextFor'>;
  log: Logger;
}): ItemsCsvRoute {
  function sendError(res: ServerResponse, err: AppError): void {
    if (err.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
    const payload = JSON.stringify({
      error: { code: err.code, message: err.message, details: err.details ?? null },
    });
    res.writeHead(err.httpStatus, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
    });
    res.end(payload);
  }

  return {
    matches: (path) => JOB_PATH.test(path) || SEARCH_PATH.test(path),
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const principal = await deps.access.authenticate(req.headers.authorization);
        deps.access.authorize(principal, 'jobs.read');
        const { jobs } = deps.access.contextFor(principal);
        if (req.method !== 'GET') {
          res.setHeader('allow', 'GET');
          throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`, {
            allowed: ['GET'],
          });
        }
        const raw = Object.fromEntries(url.searchParams);
        const jobMatch = JOB_PATH.exec(url.pathname);
        const allowed = jobMatch ? ['outcome', 'limit'] : Object.keys(searchParams.shape);
        const unknown = [...url.searchParams.keys()].filter((k) => !allowed.includes(k));
        if (unknown.length > 0) {
          throw new AppError('UNKNOWN_PARAMETER', `Unknown query parameter(s): ${unknown.join(', ')}`, {
            unknown,
            allowed,
          });
        }
        const params = parseInput(searchParams, raw);
        let filter: Record<string, unknown>;
        let filename: string;
        if (jobMatch) {
          const id = jobMatch.groups?.id ?? '';
          const job = await jobs.get(id);
          if (!job) throw new AppError('JOB_NOT_FOUND', `Job ${id} does not exist`);
          filter = { jobId: job.id, ...(params.outcome ? { outcome: params.outcome } : {}) };
          filename = `job-${job.id}-items.csv`;
        } else {
          filter = {
            ...(params.integration_id ? { integrationId: params.integration_id } : {}),
            ...(params.sku ? { sku: params.sku } : {}),
            ...(params.key ? { key: params.key } : {}),
            ...(params.job_id ? { jobId: params.job_id } : {}),
            ...(params.outcome ? { outcome: params.outcome } : {}),
            ...(params.resource ? { resource: params.resource } : {}),
          };
          filename = 'items.csv';
        }
        // The first page is read before the headers go out, so a bad filter is still a clean 400.
        let page = await jobs.itemLedger(filter, { first: Math.min(MAX_LEDGER_PAGE, params.limit) });
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
        });
        res.write(csvRow(COLUMNS));
        let left = params.limit;
        for (;;) {
          const rows = page.entries.slice(0, left);
          if (rows.length > 0) res.write(rows.map(rowOf).join(''));
          left -= rows.length;
          if (left <= 0 || !page.hasNextPage || !page.endCursor) break;
          page = await jobs.itemLedger(filter, {
            first: Math.min(MAX_LEDGER_PAGE, left),
            after: page.endCursor,
          });
        }
        res.end();
      } catch (err) {
        if (res.headersSent) {
          deps.log.warn({ err }, 'items CSV export stopped');
          res.destroy();
          return;
        }
        if (err instanceof AppError) return sendError(res, err);
        deps.log.error({ err }, 'items CSV export failed');
        sendError(res, new AppError('INTERNAL_ERROR', 'Internal error'));
      }
    },
  };
}

/**
 * The audit trail: who (key id and name, or "local" while auth is off) did what, when, with which arguments.
 * Arguments are stored with every secret-looking field blanked out. Entries are written after the action
 * succeeded; a failure to write one is logged, not turned into a failure of the action that already happened.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { insertAuditEntry, listAuditEntries } from '../../db/queries/audit-log.ts';
import type { AuditPage } from '../../schema/context.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validation.ts';
import type { Principal } from './principal.ts';

/** The actor recorded when API auth is off and no key was given. */
export const LOCAL_ACTOR = 'local';

const SECRET_FIELD = /credential|secret|password|passwd|token|authorization|api[_-]?key|private/i;

/** A copy of `value` with every field whose name looks secret replaced by "[redacted]". */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_FIELD.test(k) ? '[redacted]' : redactSecrets(v, depth + 1),
      ]),
    );
  }
  return value;
}

export interface AuditTrail {
  record(principal: Principal | null, action: string, target: string | null, args: unknown): Promise<void>;
  list(filter: unknown, page: { first?: number | null; after?: string | null }): Promise<AuditPage>;
}

const filterSchema = z
  .object({
    action: z.array(z.string().min(1).max(100)).max(50).optional(),
    keyId: z.string().uuid('not a key id').optional(),
    after: z.coerce.date().optional(),
    before: z.coerce.date().optional(),
  })
  .strict();

const pageSchema = z.object({
  first: z.number().int().min(1).max(500).default(50),
  after: z.string().max(100).nullish(),
});

const encodeCursor = (id: number) => Buffer.from(`audit:${id}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^audit:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) {
    throw new AppError('VALIDATION_FAILED', 'after: not a cursor returned by this API', {
      problems: [{ path: 'after', message: 'invalid cursor' }],
    });
  }
  return Number(match[1]);
}

export function createAuditTrail(options: { db: Database; log: Logger }): AuditTrail {
  const { db, log } = options;
  return {
    async record(principal, action, target, args) {
      try {
        await insertAuditEntry(db, {
          actorKeyId: principal?.keyId ?? null,
          actorName: principal?.name ?? LOCAL_ACTOR,
          actorRole: principal?.role ?? null,
          action,
          target,
          args: redactSecrets(args),
        });
      } catch (err) {
        log.error({ err, action, target }, 'could not write the audit entry');
      }
    },
    async list(filter, page) {
      const f = parseInput(filterSchema, filter ?? {}, ['filter']);
      const p = parseInput(pageSchema, { first: page.first ?? undefined, after: page.after });
      const beforeId = p.after ? decodeCursor(p.after) : undefined;
      const { entries, totalCount } = await listAuditEntries(
        db,
        {
          ...(f.action ? { actions: f.action } : {}),
          ...(f.keyId ? { keyId: f.keyId } : {}),
          ...(f.after ? { after: f.after } : {}),
          ...(f.before ? { before: f.before } : {}),
        },
        { limit: p.first + 1, ...(beforeId !== undefined ? { beforeId } : {}) },
      );
      const shown = entries.slice(0, p.first);
      const cursors = shown.map((e) => encodeCursor(e.id));
      return {
        entries: shown,
        cursors,
        totalCount,
        hasNextPage: entries.length > p.first,
        endCursor: cursors.at(-1) ?? null,
      };
    },
  };
}

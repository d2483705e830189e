/**
 * Schedules as data: create, change, pause, resume and delete them, each change validated once here (cron
 * expression and timezone by croner, target consistency, the integration's existence). The scheduler role reads
 * `next_run_at`, which this service keeps in step with the definition.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { findIntegrationById } from '../../db/queries/integration.ts';
import {
  deleteSchedule,
  findScheduleById,
  insertSchedule,
  listScheduleRuns,
  listSchedules,
  setScheduleEnabled,
  updateSchedule,
  type ScheduleValues,
} from '../../db/queries/schedule.ts';
import { findSyncJobsByIds } from '../../db/queries/sync-job.ts';
import {
  MISSED_RUN_POLICIES,
  PRIORITIES,
  SCHEDULE_TARGETS,
  SYNC_TYPES,
  type Schedule,
  type ScheduleRun,
  type SyncJob,
} from '../../db/types.ts';
import type { ScheduleOperations } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { syncOptionsSchema } from '../handlers/handler.ts';
import { cronOf, parseCron, upcomingSlots } from '../scheduler/slots.ts';
import { parseInput, problemsError } from '../validation.ts';

const uuid = z.guid({ message: 'must be a UUID' });

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  cron: z.string().max(200, 'at most 200 characters'),
  timezone: z.string().max(100, 'at most 100 characters'),
  target: z.enum(SCHEDULE_TARGETS, { message: `must be one of ${SCHEDULE_TARGETS.join(', ')}` }),
  syncType: z.enum(SYNC_TYPES, { message: `must be one of ${SYNC_TYPES.join(', ')}` }).nullish(),
  integrationId: uuid.nullish(),
  priority: z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` }),
  options: syncOptionsSchema.nullish(),
  enabled: z.boolean(),
  missedRunPolicy: z.enum(MISSED_RUN_POLICIES, {
    message: `must be one of ${MISSED_RUN_POLICIES.join(', ')}`,
  }),
};

/** A whole definition: cross-field rules and the cron expression are checked together, every problem at once. */
const definitionSchema = z
  .object({
    ...fields,
    priority: fields.priority.default('NORMAL'),
    enabled: fields.enabled.default(true),
    missedRunPolicy: fields.missedRunPolicy.default('RUN_ONCE'),
  })
  .strict()
  .superRefine((d, ctx) => {
    const parsed = parseCron(d.cron, d.timezone);
    if (!parsed.ok)
      for (const p of parsed.problems) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
    if (d.target === 'INTEGRATION' && !d.integrationId) {
      ctx.addIssue({
        code: 'custom',
        path: ['integrationId'],
        message: 'is required for target INTEGRATION',
      });
    }
    if (d.target !== 'INTEGRATION' && d.integrationId) {
      ctx.addIssue({ code: 'custom', path: ['integrationId'], message: `is not used by target ${d.target}` });
    }
    if (d.target === 'CLEANUP') {
      if (d.syncType)
        ctx.addIssue({ code: 'custom', path: ['syncType'], message: 'is not used by target CLEANUP' });
      if (d.options) {
        ctx.addIssue({
          code: 'custom',
          path: ['options'],
          message: 'is not used by target CLEANUP (its retention is JOB_RETENTION_DAYS)',
        });
      }
    }
  });
type Definition = z.output<typeof definitionSchema>;

const patchSchema = z.object(fields).partial().strict();

export interface ScheduleServiceDeps {
  db: Database;
  config: Pick<Config, 'timezone'>;
  /** The clock next slots are planned from (tests pass a fake one). */
  now?: () => Date;
}

function toValues(d: Definition, nextRunAt: Date | null): ScheduleValues {
  const parsed = cronOf(d.cron, d.timezone);
  const sync = d.target !== 'CLEANUP';
  return {
    name: d.name,
    cron: parsed.expression,
    timezone: parsed.timezone,
    target: d.target,
    syncType: sync ? (d.syncType ?? 'ALL') : null,
    integrationId: d.target === 'INTEGRATION' ? (d.integrationId ?? null) : null,
    priority: d.priority,
    options: sync ? syncOptionsSchema.parse(d.options ?? {}) : {},
    enabled: d.enabled,
    missedRunPolicy: d.missedRunPolicy,
    nextRunAt,
  };
}

/** The stored schedule in the shape of an input, for merging a partial update. */
function toDefinitionInput(s: Schedule): Record<string, unknown> {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    target: s.target,
    syncType: s.sync_type,
    integrationId: s.integration_id,
    priority: s.priority,
    options: s.target === 'CLEANUP' ? null : s.options,
    enabled: s.enabled,
    missedRunPolicy: s.missed_run_policy,
  };
}

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createScheduleService(deps: ScheduleServiceDeps) {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());

  async function mustFind(id: unknown): Promise<Schedule> {
    const scheduleId = parseInput(uuid, id, ['id']);
    const schedule = await findScheduleById(db, scheduleId);
    if (!schedule) throw new AppError('SCHEDULE_NOT_FOUND', `Schedule ${scheduleId} does not exist`);
    return schedule;
  }

  async function checkIntegration(d: Definition): Promise<void> {
    if (d.target !== 'INTEGRATION' || !d.integrationId) return;
    if (!(await findIntegrationById(db, d.integrationId))) {
      throw new AppError('INTEGRATION_NOT_FOUND', `integration ${d.integrationId} does not exist`, {
        problems: [{ path: 'integrationId', message: `integration ${d.integrationId} does not exist` }],
      });
    }
  }

  /** Storage errors that are the client's mistake: a taken name, an integration deleted meanwhile. */
  async function write(
    run: () => Promise<Schedule | undefined>,
    d: Definition,
  ): Promise<Schedule | undefined> {
    try {
      return await run();
    } catch (err) {
      if (pgCode(err) === '23505') {
        throw problemsError([{ path: 'name', message: `a schedule named "${d.name}" already exists` }]);
      }
      if (pgCode(err) === '23503') {
        throw new AppError('INTEGRATION_NOT_FOUND', `integration ${d.integrationId ?? ''} does not exist`);
      }
      throw err;
    }
  }

  function firstSlot(d: Definition): Date | null {
    return d.enabled ? cronOf(d.cron, d.timezone).next(now()) : null;
  }

  function nextRunAt(schedule: Schedule): Date | null {
    if (!schedule.enabled) return null;
    return schedule.next_run_at ?? cronOf(schedule.cron, schedule.timezone).next(now());
  }

  const service = {
    async list(filter: { enabled?: boolean | null } = {}): Promise<Schedule[]> {
      return listSchedules(db, filter.enabled == null ? {} : { enabled: filter.enabled });
    },

    async get(id: unknown): Promise<Schedule | undefined> {
      const scheduleId = parseInput(uuid, id, ['id']);
      return findScheduleById(db, scheduleId);
    },

    async create(input: unknown): Promise<Schedule> {
      const withDefaults =
        input && typeof input === 'object' && !('timezone' in input)
          ? { ...input, timezone: config.timezone }
          : input;
      const d = parseInput(definitionSchema, withDefaults);
      await checkIntegration(d);
      const created = await write(() => insertSchedule(db, toValues(d, firstSlot(d))), d);
      return created!;
    },

    async update(id: unknown, input: unknown): Promise<Schedule> {
      const current = await mustFind(id);
      const patch = parseInput(patchSchema, input ?? {});
      const merged: Record<string, unknown> = { ...toDefinitionInput(current), ...patch };
      if (patch.target !== undefined && patch.target !== current.target) {
        for (const key of ['syncType', 'integrationId', 'options'] as const) {
          if (!(key in patch)) delete merged[key];
        }
      }
      const d = parseInput(definitionSchema, merged);
      if (d.target === 'INTEGRATION' && d.integrationId !== current.integration_id) await checkIntegration(d);
      // A changed timing (or a schedule switched on) starts from now; otherwise the planned slot stands.
      const retimed =
        d.cron.trim().replace(/\s+/g, ' ') !== current.cron ||
        cronOf(d.cron, d.timezone).timezone !== current.timezone ||
        d.enabled !== current.enabled;
      const next = !d.enabled ? null : retimed || !current.next_run_at ? firstSlot(d) : current.next_run_at;
      const updated = await write(() => updateSchedule(db, current.id, toValues(d, next)), d);
      if (!updated) throw new AppError('SCHEDULE_NOT_FOUND', `Schedule ${current.id} does not exist`);
      return updated;
    },

    async pause(id: unknown): Promise<Schedule> {
      const current = await mustFind(id);
      const paused = await setScheduleEnabled(db, current.id, false, null);
      if (!paused) throw new AppError('SCHEDULE_NOT_FOUND', `Schedule ${current.id} does not exist`);
      return paused;
    },

    async resume(id: unknown): Promise<Schedule> {
      const current = await mustFind(id);
      if (current.enabled) return current;
      const next = cronOf(current.cron, current.timezone).next(now());
      const resumed = await setScheduleEnabled(db, current.id, true, next);
      if (!resumed) throw new AppError('SCHEDULE_NOT_FOUND', `Schedule ${current.id} does not exist`);
      return resumed;
    },

    async delete(id: unknown): Promise<Schedule> {
      const current = await mustFind(id);
      const deleted = await deleteSchedule(db, current.id);
      if (!deleted) throw new AppError('SCHEDULE_NOT_FOUND', `Schedule ${current.id} does not exist`);
      return deleted;
    },

    nextRunAt,

    upcoming(schedule: Schedule, count: unknown): Date[] {
      const n = parseInput(z.number().int().min(1).max(50).default(5), count ?? undefined, ['count']);
      const cron = cronOf(schedule.cron, schedule.timezone);
      const first = nextRunAt(schedule);
      if (!first) return upcomingSlots(cron, now(), n);
      return [first, ...upcomingSlots(cron, first, n - 1)];
    },

    async runs(scheduleId: string, first: unknown): Promise<ScheduleRun[]> {
      const limit = parseInput(z.number().int().min(1).max(100).default(10), first ?? undefined, ['first']);
      return listScheduleRuns(db, scheduleId, limit);
    },

    async lastJobs(schedule: Schedule): Promise<SyncJob[]> {
      const ids = schedule.last_job_ids.slice(0, 100);
      const byId = new Map((await findSyncJobsByIds(db, ids)).map((j) => [j.id, j]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
  };
  return service satisfies ScheduleOperations;
}

export type ScheduleService = ReturnType<typeof createScheduleService>;

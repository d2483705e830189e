/**
 * Cron slots in a timezone, on croner. A slot is an instant produced by `nextRun`: the sequence of a schedule is
 * s₁ = next(created), sₖ₊₁ = next(sₖ). Only `nextRun` (strictly after a given instant) is relied on: croner's
 * `previousRuns` is only a hint here, because around DST changes it can skip or repeat a slot.
 *
 * DST, as croner 10 computes it (pinned by test/unit/schedule-slots.test.ts):
 * - spring forward: a wall-clock time inside the gap runs at the same offset after the gap (02:30 → 03:30), once;
 * - fall back: a repeated wall-clock time runs once, at its first occurrence (the second pass of the hour is skipped).
 */
import { Cron } from 'croner';
import type { MissedRunPolicy } from '../../db/types.ts';

/** How far back a due slot may be and still count as on time rather than missed. */
export const DEFAULT_MISFIRE_GRACE_MS = 60_000;

/** A walk over missed slots stops after this many steps (an every-second schedule missed for hours). */
const MAX_WALK = 100_000;

export interface CronProblem {
  path: 'cron' | 'timezone';
  message: string;
}

/** The IANA names this runtime knows, by lower case, to store the canonical spelling of what a user typed. */
let knownZones: Map<string, string> | undefined;
function canonicalZones(): Map<string, string> {
  knownZones ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]),
  );
  return knownZones;
}

/**
 * The timezone's canonical spelling, or undefined if it is not an IANA zone name. Offsets such as "+03:00" are
 * refused: they have no DST rules and would silently drift from the wall clock a schedule is meant to follow.
 */
export function normalizeTimezone(input: string): string | undefined {
  const zone = input.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return undefined;
  }
  // Known zones get their canonical case; accepted aliases (US/Eastern, Etc/GMT+3) are kept as written.
  return canonicalZones().get(zone.toLowerCase()) ?? zone;
}

/** A parsed cron expression: 5 fields (minute precision) or 6 (leading seconds), in an IANA timezone. */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first slot strictly after `after`, or null if the expression never matches again. */
  next(after: Date): Date | null;
  /** A slot shortly before `now` (croner's previousRuns): a starting point, not an exact answer. */
  hintBefore(now: Date): Date | undefined;
}

/** Validates and parses; returns every problem instead of throwing. */
export function parseCron(
  expression: string,
  timezone: string,
): { ok: true; schedule: CronSchedule } | { ok: false; problems: CronProblem[] } {
  const problems: CronProblem[] = [];
  const expr = expression.trim().replace(/\s+/g, ' ');
  const fields = expr === '' ? 0 : expr.split(' ').length;
  // Nicknames (@daily), ISO dates (run-once) and the 7-field year form are croner features we do not offer.
  if (fields !== 5 && fields !== 6) {
    problems.push({
      path: 'cron',
      message: `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (with leading seconds); got ${fields}`,
    });
  }
  const zone = normalizeTimezone(timezone);
  if (!zone) {
    problems.push({
      path: 'timezone',
      message: `"${timezone}" is not an IANA timezone such as America/Sao_Paulo`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  let cron: Cron;
  try {
    cron = new Cron(expr, { timezone: zone, mode: '5-or-6-parts' });
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, '') : String(err);
    return { ok: false, problems: [{ path: 'cron', message }] };
  }
  const schedule: CronSchedule = {
    expression: expr,
    timezone: zone!,
    next(after) {
      let from = after;
      // croner works in whole seconds; never hand back a slot at or before `after`.
      for (let guard = 0; guard < 3; guard++) {
        const run = cron.nextRun(from);
        if (!run) return null;
        if (run.getTime() > after.getTime()) return run;
        from = new Date(Math.max(run.getTime(), from.getTime()) + 1000);
      }
      return null;
    },
    hintBefore(now) {
      try {
        return cron.previousRuns(1, now)[0];
      } catch {
        return undefined;
      }
    },
  };
  // An expression that parses but never matches (0 0 30 2 *) is a mistake worth reporting at once.
  if (!schedule.next(new Date())) {
    return { ok: false, problems: [{ path: 'cron', message: 'never matches a date (e.g. February 30th)' }] };
  }
  return { ok: true, schedule };
}

/** Parses an expression already validated (stored); throws if it no longer parses. */
export function cronOf(expression: string, timezone: string): CronSchedule {
  const parsed = parseCron(expression, timezone);
  if (!parsed.ok)
    throw new Error(`invalid stored schedule: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.schedule;
}

/** The next `count` slots strictly after `after`. */
export function upcomingSlots(schedule: CronSchedule, after: Date, count: number): Date[] {
  const slots: Date[] = [];
  let at = after;
  while (slots.length < count) {
    const next = schedule.next(at);
    if (!next) break;
    slots.push(next);
    at = next;
  }
  return slots;
}

/** Every slot in (from, to], at most `limit`. */
export function slotsBetween(schedule: CronSchedule, from: Date, to: Date, limit = 10_000): Date[] {
  const slots: Date[] = [];
  let at = from;
  while (slots.length < limit) {
    const next = schedule.next(at);
    if (!next || next.getTime() > to.getTime()) break;
    slots.push(next);
    at = next;
  }
  return slots;
}

/**
 * The most recent slot at or before `now`, walking forward from `due` (a slot ≤ now, the schedule's next_run_at).
 * croner's `previousRuns` lets the walk start near `now` after a long gap; the walk itself makes the answer exact.
 */
export function latestSlotAtOrBefore(schedule: CronSchedule, due: Date, now: Date): Date {
  let at = due;
  const hint = schedule.hintBefore(now);
  if (hint && hint.getTime() > at.getTime() && hint.getTime() <= now.getTime()) at = hint;
  for (let steps = 0; steps < MAX_WALK; steps++) {
    const next = schedule.next(at);
    if (!next || next.getTime() > now.getTime()) return at;
    at = next;
  }
  return at;
}

export interface SlotPlan {
  /** The slot this pass handles: the most recent one at or before now. */
  slot: Date;
  /** Whether that slot is older than the grace (the scheduler was down or stuck). */
  missed: boolean;
  /** Whether jobs are created for it (on time, or missed under RUN_ONCE). */
  fire: boolean;
  /** The schedule's next slot, strictly after now. */
  next: Date | null;
}

/**
 * What to do with a schedule whose next_run_at (`due`) has come. Older due slots are never fired one by one: after
 * downtime the most recent slot stands for all of them, fired once under RUN_ONCE, recorded as skipped under SKIP.
 */
export function planDueSlot(
  schedule: CronSchedule,
  due: Date,
  now: Date,
  policy: MissedRunPolicy,
  graceMs = DEFAULT_MISFIRE_GRACE_MS,
): SlotPlan | undefined {
  if (due.getTime() > now.getTime()) return undefined;
  const slot = latestSlotAtOrBefore(schedule, due, now);
  const missed = now.getTime() - slot.getTime() > graceMs;
  return { slot, missed, fire: !missed || policy === 'RUN_ONCE', next: schedule.next(now) };
}

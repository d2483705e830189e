/**
 * Cron slots in a timezone (croner): DST changes in zones that have them (America/New_York, Europe/Lisbon), the
 * seed's America/Sao_Paulo (no DST since 2019), month ends, seconds, and the due-slot plan the scheduler follows,
 * all computed against explicit instants (the scheduler's injectable clock), never the machine's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cronOf,
  latestSlotAtOrBefore,
  normalizeTimezone,
  parseCron,
  planDueSlot,
  slotsBetween,
  upcomingSlots,
  type CronSchedule,
} from '../../server/scheduler/slots.ts';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());

/** The wall-clock time of an instant in a zone, e.g. "2026-03-08 03:30". */
function wallClock(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** The most recent slot ≤ now by brute force: every slot from `from` on, one by one. */
function bruteLatest(schedule: CronSchedule, from: Date, now: Date): Date | undefined {
  return slotsBetween(schedule, from, now, 1_000_000).at(-1);
}

beforeEach(() => {
  // Nothing here may depend on the machine's clock: pin it far from every instant used below.
  vi.useFakeTimers({ now: at('2031-06-15T12:00:00Z'), toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('America/New_York, spring forward (2026-03-08, 02:00 EST → 03:00 EDT)', () => {
  const tz = 'America/New_York';

  it('an hourly schedule has no 02:00 that day and never repeats an instant', () => {
    const slots = slotsBetween(
      cronOf('0 * * * *', tz),
      at('2026-03-08T04:30:00Z'),
      at('2026-03-08T08:30:00Z'),
    );
    expect(isos(slots)).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
    expect(slots.map((d) => wallClock(d, tz))).toEqual([
      '2026-03-08 00:00',
      '2026-03-08 01:00',
      '2026-03-08 03:00',
      '2026-03-08 04:00',
    ]);
  });

  it('a daily slot inside the gap runs once, just after it (02:30 → 03:30 EDT)', () => {
    const slots = upcomingSlots(cronOf('30 2 * * *', tz), at('2026-03-06T12:00:00Z'), 4);
    expect(isos(slots)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT: 02:30 does not exist that day
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(wallClock(slots[1]!, tz)).toBe('2026-03-08 03:30');
  });

  it('a daily slot outside the gap keeps its wall-clock time and moves one hour in UTC', () => {
    const slots = upcomingSlots(cronOf('0 3 * * *', tz), at('2026-03-07T00:00:00Z'), 3);
    expect(isos(slots)).toEqual([
      '2026-03-07T08:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T07:00:00.000Z',
    ]);
    expect(slots.map((d) => wallClock(d, tz).slice(11))).toEqual(['03:00', '03:00', '03:00']);
  });
});

describe('America/New_York, fall back (2026-11-01, 02:00 EDT → 01:00 EST)', () => {
  const tz = 'America/New_York';

  it('a daily slot in the repeated hour runs once, at its first occurrence', () => {
    const slots = upcomingSlots(cronOf('30 1 * * *', tz), at('2026-10-31T12:00:00Z'), 3);
    expect(isos(slots)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire again
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('an hourly schedule fires once per wall-clock hour: the second 01:00 is not fired', () => {
    const slots = slotsBetween(
      cronOf('0 * * * *', tz),
      at('2026-11-01T03:30:00Z'),
      at('2026-11-01T08:00:00Z'),
    );
    expect(isos(slots)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
    const labels = slots.map((d) => wallClock(d, tz));
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('Europe/Lisbon (WET/WEST)', () => {
  const tz = 'Europe/Lisbon';

  it('spring forward (2026-03-29, 01:00 → 02:00): 01:30 runs at 02:30 WEST that day', () => {
    expect(isos(upcomingSlots(cronOf('30 1 * * *', tz), at('2026-03-27T12:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('fall back (2026-10-25, 02:00 → 01:00): 01:30 runs once', () => {
    expect(isos(upcomingSlots(cronOf('30 1 * * *', tz), at('2026-10-24T12:00:00Z'), 3))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });
});

describe('America/Sao_Paulo (the seed schedules)', () => {
  const tz = 'America/Sao_Paulo';

  it('cleanup at 02:00 and full sync at 03:00 are 05:00 and 06:00 UTC all year (UTC−3, no DST)', () => {
    for (const from of ['2026-01-10T12:00:00Z', '2026-07-10T12:00:00Z', '2026-11-10T12:00:00Z']) {
      const cleanup = upcomingSlots(cronOf('0 2 * * *', tz), at(from), 2);
      const fullSync = upcomingSlots(cronOf('0 3 * * *', tz), at(from), 2);
      expect(cleanup.map((d) => d.toISOString().slice(11))).toEqual(['05:00:00.000Z', '05:00:00.000Z']);
      expect(fullSync.map((d) => d.toISOString().slice(11))).toEqual(['06:00:00.000Z', '06:00:00.000Z']);
      expect(wallClock(fullSync[0]!, tz).slice(11)).toBe('03:00');
    }
  });

  it('the first slot after 02:30 local is the next day', () => {
    // 2026-05-10 02:30 in São Paulo is 05:30Z.
    expect(cronOf('0 2 * * *', tz).next(at('2026-05-10T05:30:00Z'))?.toISOString()).toBe(
      '2026-05-11T05:00:00.000Z',
    );
    expect(cronOf('0 3 * * *', tz).next(at('2026-05-10T05:30:00Z'))?.toISOString()).toBe(
      '2026-05-10T06:00:00.000Z',
    );
  });
});

describe('month ends and seconds', () => {
  it('0 0 31 * * fires only in months with a 31st, at local midnight', () => {
    const slots = upcomingSlots(cronOf('0 0 31 * *', 'America/Sao_Paulo'), at('2026-01-15T00:00:00Z'), 8);
    expect(slots.map((d) => wallClock(d, 'America/Sao_Paulo'))).toEqual([
      '2026-01-31 00:00',
      '2026-03-31 00:00',
      '2026-05-31 00:00',
      '2026-07-31 00:00',
      '2026-08-31 00:00',
      '2026-10-31 00:00',
      '2026-12-31 00:00',
      '2027-01-31 00:00',
    ]);
  });

  it('0 0 L * * is the last day of each month, leap years included', () => {
    const slots = upcomingSlots(cronOf('0 0 L * *', 'UTC'), at('2028-01-15T00:00:00Z'), 3);
    expect(isos(slots)).toEqual([
      '2028-01-31T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
  });

  it('a 6-field expression has second precision; next() is strictly after its argument', () => {
    const every10s = cronOf('*/10 * * * * *', 'UTC');
    expect(every10s.next(at('2026-01-01T05:00:10.000Z'))?.toISOString()).toBe('2026-01-01T05:00:20.000Z');
    expect(every10s.next(at('2026-01-01T05:00:09.999Z'))?.toISOString()).toBe('2026-01-01T05:00:10.000Z');
  });
});

describe('the most recent slot at or before now', () => {
  it('matches a brute-force walk, across DST changes and at exact slot instants', () => {
    const cases: [string, string, string, string][] = [
      ['0 * * * *', 'America/New_York', '2026-11-01T03:00:00Z', '2026-11-01T06:30:00Z'],
      ['0 * * * *', 'America/New_York', '2026-11-01T03:00:00Z', '2026-11-01T06:00:00Z'],
      ['0 * * * *', 'America/New_York', '2026-03-08T03:00:00Z', '2026-03-08T07:30:00Z'],
      ['30 2 * * *', 'America/New_York', '2026-03-01T00:00:00Z', '2026-03-08T07:30:00Z'],
      ['*/15 * * * *', 'Europe/Lisbon', '2026-10-24T20:00:00Z', '2026-10-25T01:10:00Z'],
      ['0 0 31 * *', 'America/Sao_Paulo', '2026-01-01T00:00:00Z', '2026-06-15T00:00:00Z'],
      ['*/10 * * * * *', 'UTC', '2026-01-01T05:00:00Z', '2026-01-01T05:00:10.001Z'],
    ];
    for (const [expr, tz, from, now] of cases) {
      const schedule = cronOf(expr, tz);
      const due = schedule.next(at(from))!;
      expect(latestSlotAtOrBefore(schedule, due, at(now)).toISOString(), `${expr} ${tz} at ${now}`).toBe(
        bruteLatest(schedule, at(from), at(now))?.toISOString(),
      );
    }
  });

  it('jumps over a long gap without walking every slot', () => {
    const everySecond = cronOf('* * * * * *', 'UTC');
    const started = performance.now();
    const latest = latestSlotAtOrBefore(
      everySecond,
      at('2026-01-01T00:00:01Z'),
      at('2026-01-08T12:34:56.789Z'),
    );
    expect(latest.toISOString()).toBe('2026-01-08T12:34:56.000Z');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('planDueSlot (what one scheduler pass does with a due schedule)', () => {
  const hourly = cronOf('0 * * * *', 'America/Sao_Paulo');
  const due = at('2026-05-10T12:00:00Z');

  it('fires an on-time slot whatever the policy, and plans the next one strictly after now', () => {
    for (const policy of ['RUN_ONCE', 'SKIP'] as const) {
      const plan = planDueSlot(hourly, due, at('2026-05-10T12:00:00.400Z'), policy, 60_000)!;
      expect(plan).toMatchObject({ missed: false, fire: true });
      expect(plan.slot.toISOString()).toBe('2026-05-10T12:00:00.000Z');
      expect(plan.next?.toISOString()).toBe('2026-05-10T13:00:00.000Z');
    }
  });

  it('after a gap of several slots, RUN_ONCE fires only the most recent one; SKIP fires none', () => {
    const now = at('2026-05-10T17:20:00Z'); // slots 12:00 … 17:00 were missed
    const once = planDueSlot(hourly, due, now, 'RUN_ONCE', 60_000)!;
    expect(once).toMatchObject({ missed: true, fire: true });
    expect(once.slot.toISOString()).toBe('2026-05-10T17:00:00.000Z');
    expect(once.next?.toISOString()).toBe('2026-05-10T18:00:00.000Z');
    const skip = planDueSlot(hourly, due, now, 'SKIP', 60_000)!;
    expect(skip).toMatchObject({ missed: true, fire: false });
    expect(skip.slot.toISOString()).toBe('2026-05-10T17:00:00.000Z');
    expect(skip.next?.toISOString()).toBe('2026-05-10T18:00:00.000Z');
  });

  it('a most recent slot within the grace fires even under SKIP (older missed slots are folded into it)', () => {
    const plan = planDueSlot(hourly, due, at('2026-05-10T17:00:30Z'), 'SKIP', 60_000)!;
    expect(plan).toMatchObject({ missed: false, fire: true });
    expect(plan.slot.toISOString()).toBe('2026-05-10T17:00:00.000Z');
  });

  it('nothing is due before the slot', () => {
    expect(planDueSlot(hourly, due, at('2026-05-10T11:59:59.999Z'), 'RUN_ONCE')).toBeUndefined();
  });
});

describe('validation', () => {
  it('accepts 5 and 6 fields in an IANA timezone, stored in canonical form', () => {
    const five = parseCron(' 0  3 * * * ', 'america/sao_paulo');
    expect(five.ok && five.schedule.expression).toBe('0 3 * * *');
    expect(five.ok && five.schedule.timezone).toBe('America/Sao_Paulo');
    expect(parseCron('30 0 3 * * 1-5', 'Europe/Lisbon').ok).toBe(true);
    expect(parseCron('0 3 * * *', 'UTC').ok).toBe(true);
  });

  it.each([
    ['* * * *', 'cron'],
    ['0 0 * * * * 2030', 'cron'],
    ['@daily', 'cron'],
    ['@reboot', 'cron'],
    ['2026-01-01T00:00:00', 'cron'],
    ['61 * * * *', 'cron'],
    ['*/0 * * * *', 'cron'],
    ['0 0 30 2 *', 'cron'],
    ['', 'cron'],
  ])('refuses the expression %j', (expr, path) => {
    const parsed = parseCron(expr, 'UTC');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.path)).toEqual([path]);
  });

  it.each(['Mars/Olympus', '+03:00', 'UTC+3', '', 'America/Sao Paulo'])('refuses the timezone %j', (tz) => {
    expect(normalizeTimezone(tz)).toBeUndefined();
    const parsed = parseCron('0 3 * * *', tz);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.path)).toEqual(['timezone']);
  });

  it('reports a bad expression and a bad timezone together', () => {
    const parsed = parseCron('nope', 'Nowhere/Land');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.path).sort()).toEqual(['cron', 'timezone']);
  });
});

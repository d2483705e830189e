import { describe, expect, it } from 'vitest';
import {
  applyJobEvent,
  applyJobsPage,
  initialJobsTableState,
  jobsTableReducer,
  type JobRow,
  type JobsTableState,
} from '../../client/src/jobs/apply-job-event.ts';
import { EMPTY_FILTERS, type JobFilters } from '../../client/src/jobs/job-filters.ts';
import { OTHER_INTEGRATION, jobRow } from './jobs.fixtures.ts';

function loaded(rows: JobRow[], filters: JobFilters = EMPTY_FILTERS, hasNextPage = false): JobsTableState {
  return applyJobsPage(
    initialJobsTableState(filters),
    { nodes: rows, totalCount: rows.length + (hasNextPage ? 10 : 0), endCursor: 'c', hasNextPage },
    false,
  );
}

const ids = (state: JobsTableState) => state.rows.map((r) => r.id);

describe('applyJobEvent', () => {
  const older = jobRow({ minute: 1 });
  const newer = jobRow({ minute: 5 });

  it('a new job that matches the filters appears in createdAt order (newest first) and is counted', () => {
    const state = loaded([newer, older]);
    const middle = jobRow({ minute: 3 });
    const next = applyJobEvent(state, middle);
    expect(ids(next)).toEqual([newer.id, middle.id, older.id]);
    expect(next.totalCount).toBe(3);
    const newest = jobRow({ minute: 9 });
    expect(ids(applyJobEvent(next, newest))[0]).toBe(newest.id);
  });

  it('a new job that does not match the filters is not added', () => {
    const filters = { ...EMPTY_FILTERS, status: ['FAILED'] as const, syncType: ['PRODUCTS'] as const };
    const state = loaded([], filters);
    expect(applyJobEvent(state, jobRow({ minute: 7 }))).toBe(state);
    expect(applyJobEvent(state, jobRow({ minute: 7, status: 'FAILED', syncType: 'ORDERS' }))).toBe(state);
    expect(ids(applyJobEvent(state, jobRow({ minute: 7, status: 'FAILED', id: 'x' })))).toEqual(['x']);
  });

  it('a job that comes to match the filters (QUEUED → RUNNING on a RUNNING view) joins the table', () => {
    const state = loaded([], { ...EMPTY_FILTERS, status: ['RUNNING'] });
    const queued = jobRow({ minute: 2 });
    const after = applyJobEvent(applyJobEvent(state, queued), { ...queued, status: 'RUNNING', version: 2 });
    expect(ids(after)).toEqual([queued.id]);
  });

  it('an older job than the last loaded row waits for its page when more pages exist', () => {
    const state = loaded([newer], EMPTY_FILTERS, true);
    expect(applyJobEvent(state, older)).toBe(state);
    expect(ids(applyJobEvent(loaded([newer]), older))).toEqual([newer.id, older.id]);
  });

  it('progress moves the row in place', () => {
    const state = loaded([newer, older]);
    const next = applyJobEvent(state, {
      ...older,
      status: 'RUNNING',
      progress: 42.5,
      processedItems: 85,
      totalItems: 200,
      version: 3,
    });
    expect(ids(next)).toEqual(ids(state));
    expect(next.rows[1]).toMatchObject({ status: 'RUNNING', progress: 42.5, processedItems: 85, version: 3 });
    expect(next.totalCount).toBe(state.totalCount);
  });

  it('stale snapshots (older or equal version) change nothing, whatever order they arrive in', () => {
    const v5 = { ...older, status: 'RUNNING' as const, progress: 60, version: 5 };
    const state = applyJobEvent(loaded([older]), v5);
    expect(applyJobEvent(state, { ...older, status: 'RUNNING', progress: 30, version: 4 })).toBe(state);
    expect(applyJobEvent(state, { ...v5, progress: 99 })).toBe(state);
    expect(state.rows[0]?.progress).toBe(60);
  });

  it('finished rows settle: they keep their final state and place even when they leave the filter', () => {
    const running = jobRow({ minute: 4, status: 'RUNNING', progress: 80, version: 6 });
    const state = loaded([running], { ...EMPTY_FILTERS, status: ['RUNNING'] });
    const done = applyJobEvent(state, {
      ...running,
      status: 'COMPLETED',
      progress: 100,
      finishedAt: '2026-05-01T10:10:00.000Z',
      version: 7,
    });
    expect(ids(done)).toEqual([running.id]);
    expect(done.rows[0]).toMatchObject({ status: 'COMPLETED', progress: 100 });
    // A late progress snapshot of the same run cannot un-finish it.
    expect(applyJobEvent(done, { ...running, progress: 90, version: 6 })).toBe(done);
  });

  it('ignores snapshots without an id', () => {
    const state = loaded([older]);
    expect(applyJobEvent(state, { ...newer, id: null })).toBe(state);
  });
});

describe('pages and events together', () => {
  it('events heard before the first page are merged into it, the newer version winning', () => {
    const a = jobRow({ minute: 1 });
    const b = jobRow({ minute: 2 });
    let state = initialJobsTableState(EMPTY_FILTERS);
    state = applyJobEvent(state, { ...a, status: 'COMPLETED', progress: 100, version: 4 });
    state = applyJobEvent(state, { ...a, status: 'RUNNING', progress: 50, version: 3 });
    const c = jobRow({ minute: 3 });
    state = applyJobEvent(state, c);
    expect(state.rows).toEqual([]);
    state = applyJobsPage(
      state,
      {
        nodes: [b, { ...a, status: 'RUNNING', version: 2 }],
        totalCount: 2,
        endCursor: 'x',
        hasNextPage: false,
      },
      false,
    );
    expect(ids(state)).toEqual([c.id, b.id, a.id]);
    expect(state.rows[2]).toMatchObject({ status: 'COMPLETED', version: 4 });
    expect(state.pending).toEqual([]);
  });

  it('a further page is appended without duplicating rows an event already brought', () => {
    const a = jobRow({ minute: 9 });
    const b = jobRow({ minute: 8 });
    const c = jobRow({ minute: 7 });
    let state = loaded([a], EMPTY_FILTERS, true);
    state = applyJobsPage(
      state,
      { nodes: [b, c], totalCount: 3, endCursor: 'end', hasNextPage: false },
      true,
    );
    expect(ids(state)).toEqual([a.id, b.id, c.id]);
    expect(state).toMatchObject({ endCursor: 'end', hasNextPage: false });
    const again = applyJobsPage(
      state,
      { nodes: [c], totalCount: 3, endCursor: 'end', hasNextPage: false },
      true,
    );
    expect(ids(again)).toEqual([a.id, b.id, c.id]);
  });

  it('a refreshed first page keeps newer versions and live rows it does not know yet', () => {
    const a = jobRow({ minute: 1 });
    const live = jobRow({ minute: 6 });
    let state = loaded([a]);
    state = applyJobEvent(state, { ...a, status: 'RUNNING', version: 5 });
    state = applyJobEvent(state, live);
    state = applyJobsPage(
      state,
      { nodes: [{ ...a, version: 2 }], totalCount: 1, endCursor: 'x', hasNextPage: false },
      false,
    );
    expect(ids(state)).toEqual([live.id, a.id]);
    expect(state.rows[1]?.version).toBe(5);
  });

  it('reset forgets everything (new filters)', () => {
    const filters = { ...EMPTY_FILTERS, integrationId: OTHER_INTEGRATION };
    const state = jobsTableReducer(loaded([jobRow()]), { type: 'reset', filters });
    expect(state).toEqual(initialJobsTableState(filters));
  });
});

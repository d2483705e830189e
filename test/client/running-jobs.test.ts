/** The Monitor's running-jobs merge: a page of RUNNING jobs and the job events heard around it. */
import { describe, expect, it } from 'vitest';
import {
  initialRunningJobs,
  runningJobsReducer,
  type RunningJob,
  type RunningJobsAction,
  type RunningJobsState,
} from '../../client/src/monitor/running-jobs.ts';
import { jobRow } from './jobs.fixtures.ts';

function job(minute: number, overrides: Partial<RunningJob> = {}): RunningJob {
  return {
    ...jobRow({ minute }),
    status: 'RUNNING',
    startedAt: new Date(Date.UTC(2026, 4, 1, 11, minute)).toISOString(),
    workerId: 'host-a:1:x',
    version: 2,
    ...overrides,
  };
}

const run = (state: RunningJobsState, ...actions: RunningJobsAction[]) =>
  actions.reduce(runningJobsReducer, state);
const ids = (state: RunningJobsState) => state.jobs.map((j) => j.id);
const page = (jobs: RunningJob[], totalCount = jobs.length): RunningJobsAction => ({
  type: 'pageLoaded',
  jobs,
  totalCount,
});
const event = (j: Partial<RunningJob> & Pick<RunningJob, 'id'>): RunningJobsAction => ({
  type: 'jobChanged',
  job: j,
});

describe('runningJobsReducer', () => {
  it('merges events heard while the first page was read into it', () => {
    const a = job(1);
    const b = job(2);
    const c = job(3);
    const state = run(
      initialRunningJobs,
      { type: 'readStarted' },
      event({ ...a, progress: 40, version: 3 }), // newer than the page's copy
      event({ ...b, status: 'COMPLETED', version: 3 }), // ended after the page was read
      event(c), // started after the page was read
      page([a, b]),
    );
    expect(state.loaded).toBe(true);
    expect(ids(state)).toEqual([a.id, c.id]);
    expect(state.jobs[0]?.progress).toBe(40);
    expect(state.totalCount).toBe(2);
  });

  it('keeps ended jobs off the list, even when a later page read before they ended lists them', () => {
    const a = job(1);
    let state = run(initialRunningJobs, { type: 'readStarted' }, page([a]));
    state = run(state, event({ ...a, status: 'FAILED', version: 3 }));
    expect(ids(state)).toEqual([]);
    state = run(state, { type: 'readStarted' }, page([a]));
    expect(ids(state)).toEqual([]);
    // A retry starts it again, in a newer version: it is back.
    state = run(state, event({ ...a, attempts: 2, version: 5 }));
    expect(ids(state)).toEqual([a.id]);
  });

  it('keeps the longest running first and ignores snapshots that are not newer', () => {
    const late = job(9);
    const early = job(1);
    let state = run(initialRunningJobs, { type: 'readStarted' }, page([]));
    state = run(state, event(late), event(early));
    expect(ids(state)).toEqual([early.id, late.id]);
    state = run(state, event({ ...late, progress: 5, version: 2 }));
    expect(state.jobs[1]?.progress).toBe(0);
    // A mutation's answer (no workerId) updates a listed job, and cannot add one that is not.
    state = run(state, event({ id: late.id, status: 'RUNNING', cancelRequestedAt: 'x', version: 3 }));
    expect(state.jobs[1]?.cancelRequestedAt).toBe('x');
    expect(state.jobs[1]?.workerId).toBe('host-a:1:x');
  });
});

/**
 * The Monitor's running jobs, as a pure reducer: `jobs(filter: {status: [RUNNING]})` for the start, then every job
 * event. A snapshot counts only when its `version` is newer than what is known; a RUNNING one joins or updates the
 * list, any other status takes the job off it (and is remembered, so an older RUNNING snapshot from a page read
 * before the job finished cannot bring it back). Events heard while a page is being read are applied at once and
 * again over that page, so a job that started or ended meanwhile is right either way.
 */
import type { MonitorJobFragment } from '../gql/graphql.ts';

export type RunningJob = MonitorJobFragment;

export interface RunningJobsState {
  /** False until the first page arrives. */
  loaded: boolean;
  /** Longest running first (startedAt ascending), so rows do not move when others join. */
  jobs: readonly RunningJob[];
  /** RUNNING jobs the server counted (the page holds at most its limit), adjusted by events since. */
  totalCount: number | null;
  /** Newest version of each job seen leaving RUNNING; bounded to the last FORGET_AFTER. */
  finished: ReadonlyMap<string, number>;
  /** A page is being read. */
  reading: boolean;
  /** Snapshots heard while reading, newest version per job: applied over the page when it comes. */
  pending: readonly RunningJob[];
}

export type RunningJobsAction =
  | { type: 'readStarted' }
  | { type: 'pageLoaded'; jobs: readonly RunningJob[]; totalCount: number | null }
  | { type: 'jobChanged'; job: Partial<RunningJob> & Pick<RunningJob, 'id'> };

const FORGET_AFTER = 500;

export const initialRunningJobs: RunningJobsState = {
  loaded: false,
  jobs: [],
  totalCount: null,
  finished: new Map(),
  reading: false,
  pending: [],
};

const versionOf = (job: Partial<RunningJob> | undefined) => job?.version ?? -1;

function byStart(a: RunningJob, b: RunningJob): number {
  const at = Date.parse(a.startedAt ?? '') || 0;
  const bt = Date.parse(b.startedAt ?? '') || 0;
  return at - bt || ((a.id ?? '') < (b.id ?? '') ? -1 : 1);
}

function remember(finished: ReadonlyMap<string, number>, id: string, version: number) {
  const next = new Map(finished);
  next.delete(id);
  next.set(id, version);
  if (next.size > FORGET_AFTER) next.delete(next.keys().next().value!);
  return next;
}

function apply(
  state: RunningJobsState,
  change: Partial<RunningJob> & Pick<RunningJob, 'id'>,
): RunningJobsState {
  const id = change.id;
  if (!id) return state;
  const index = state.jobs.findIndex((j) => j.id === id);
  const current = index >= 0 ? state.jobs[index] : undefined;
  const version = versionOf(change);
  if (current && version <= versionOf(current)) return state;
  if (version <= (state.finished.get(id) ?? -1)) return state;
  const status = change.status ?? current?.status;
  if (status !== 'RUNNING') {
    const jobs = current ? state.jobs.filter((j) => j.id !== id) : state.jobs;
    const totalCount =
      current && state.totalCount !== null ? Math.max(jobs.length, state.totalCount - 1) : state.totalCount;
    return { ...state, jobs, totalCount, finished: remember(state.finished, id, version) };
  }
  if (current) {
    const jobs = state.jobs.slice();
    jobs[index] = { ...current, ...change };
    return { ...state, jobs };
  }
  // A partial snapshot (a mutation's answer) of a job not listed says too little to show it.
  if (!('startedAt' in change) || !('workerId' in change)) return state;
  const jobs = [...state.jobs, change as RunningJob].sort(byStart);
  return { ...state, jobs, totalCount: state.totalCount === null ? null : state.totalCount + 1 };
}

export function runningJobsReducer(state: RunningJobsState, action: RunningJobsAction): RunningJobsState {
  switch (action.type) {
    case 'readStarted':
      return { ...state, reading: true, pending: [] };
    case 'jobChanged': {
      const job = action.job;
      if (!job.id) return state;
      const next = state.loaded ? apply(state, job) : state;
      if (!state.reading) return next;
      const seen = state.pending.find((p) => p.id === job.id);
      if (seen && versionOf(seen) >= versionOf(job)) return next;
      const merged = { ...seen, ...job } as RunningJob;
      return { ...next, pending: [...state.pending.filter((p) => p.id !== job.id), merged] };
    }
    case 'pageLoaded': {
      // The page is the truth at the time it was read: rows it does not list have stopped running (or lie beyond
      // its limit). A row known in a newer version than the page's keeps that version.
      const known = new Map(state.jobs.map((j) => [j.id, j]));
      const jobs = action.jobs
        .filter((job) => job.id && versionOf(job) > (state.finished.get(job.id) ?? -1))
        .map((job) => {
          const seen = known.get(job.id);
          return seen && versionOf(seen) > versionOf(job) ? seen : job;
        })
        .sort(byStart);
      let next: RunningJobsState = {
        ...state,
        loaded: true,
        reading: false,
        jobs,
        totalCount: action.totalCount,
        pending: [],
      };
      for (const job of state.pending) next = apply(next, job);
      return next;
    }
  }
}

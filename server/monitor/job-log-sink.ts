/**
 * Keeps the newest lines of each job in Postgres for `SyncJob.logs` and `GET /api/sync/jobs/{id}/logs`. The runner's
 * per-job logger is wrapped so every line at info and above is also written, as JSON, to a capture logger (same
 * redaction as the process logs, whatever the process log level), buffered per job (at most `maxLinesPerJob` each)
 * and written in one statement per flush — never one INSERT per line.
 */
import type { Database } from '../../db/database.ts';
import {
  appendSyncJobLogLines,
  type JobLogLevel,
  type NewSyncJobLogLine,
} from '../../db/queries/sync-job-log.ts';
import type { SyncJob } from '../../db/types.ts';
import { createLogger, type Logger } from '../logger.ts';

const LEVELS: Record<number, JobLogLevel> = { 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/** Fields of every captured line that are columns, or known from the job itself. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'jobId', 'attempt', 'workerId']);
const MAX_MESSAGE = 2000;
const MAX_DATA = 8000;
/** Lines held in memory across all jobs before a flush is forced. */
const MAX_BUFFERED = 20_000;
/** Jobs whose stored lines are counted (to skip the trim of short logs). */
const MAX_COUNTED_JOBS = 10_000;

/** A logger that writes every call to `primary` and a copy to `copy`; children stay paired. */
function tee(primary: Logger, copy: Logger): Logger {
  return new Proxy(primary, {
    get(target, prop) {
      if (prop === 'child') {
        return (bindings: Record<string, unknown>, options?: object) =>
          tee(target.child(bindings, options), copy.child(bindings, options));
      }
      if (typeof prop === 'string' && LEVEL_METHODS.has(prop)) {
        return (...args: unknown[]) => {
          (copy as unknown as Record<string, (...a: unknown[]) => void>)[prop]!(...args);
          (target as unknown as Record<string, (...a: unknown[]) => void>)[prop]!(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface JobLogSink {
  /** The job's logger, with its lines kept for the job. */
  wrap(log: Logger, job: SyncJob): Logger;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  stop(): Promise<void>;
}

export function createJobLogSink(options: {
  db: Database;
  log: Logger;
  workerId: string;
  maxLinesPerJob: number;
  flushIntervalMs?: number;
}): JobLogSink {
  const { db, log, workerId, maxLinesPerJob } = options;
  if (maxLinesPerJob <= 0) {
    return { wrap: (l) => l, flush: async () => undefined, stop: async () => undefined };
  }
  const pending = new Map<string, NewSyncJobLogLine[]>();
  let buffered = 0;
  /**
   * Lines this process has stored per job, for the trim: a job whose stored lines can all be counted here, and are
   * no more than the limit, needs no DELETE (most jobs log a few lines). A retry (attempt > 1) may have lines from
   * an earlier attempt elsewhere, so it is always trimmed. Bounded: the oldest entries go first; a job forgotten here
   * counts from zero again, so at worst it keeps up to twice its limit until its next trim.
   */
  const stored = new Map<string, number>();
  let flushing: Promise<void> | undefined;

  function keep(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = LEVELS[Number(record.level)];
    const jobId = record.jobId;
    if (!level || typeof jobId !== 'string') return;
    const fields = Object.fromEntries(Object.entries(record).filter(([k]) => !OMITTED.has(k)));
    let data: string | null = Object.keys(fields).length > 0 ? JSON.stringify(fields) : null;
    if (data && data.length > MAX_DATA)
      data = JSON.stringify({ truncated: true, preview: data.slice(0, 2000) });
    const lines = pending.get(jobId) ?? [];
    lines.push({
      jobId,
      attempt: Number(record.attempt) || 0,
      level,
      message: (typeof record.msg === 'string' ? record.msg : '').slice(0, MAX_MESSAGE),
      data,
      workerId,
      at: new Date(typeof record.time === 'number' ? record.time : Date.now()),
    });
    buffered++;
    if (lines.length > maxLinesPerJob) {
      buffered -= lines.length - maxLinesPerJob;
      lines.splice(0, lines.length - maxLinesPerJob);
    }
    pending.set(jobId, lines);
    if (buffered > MAX_BUFFERED) void flush();
  }

  const capture = createLogger({ name: 'job', level: 'info', destination: { write: keep } });

  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (pending.size === 0) return;
    const batch = [...pending.values()].flat();
    const trim: string[] = [];
    for (const [jobId, lines] of pending) {
      const total = (stored.get(jobId) ?? 0) + lines.length;
      stored.delete(jobId);
      stored.set(jobId, total);
      if (total > maxLinesPerJob || lines.some((l) => l.attempt > 1)) trim.push(jobId);
    }
    for (const jobId of stored.keys()) {
      if (stored.size <= MAX_COUNTED_JOBS) break;
      stored.delete(jobId);
    }
    pending.clear();
    buffered = 0;
    flushing = appendSyncJobLogLines(db, batch, maxLinesPerJob, trim)
      .catch((err: unknown) => log.warn({ err, lines: batch.length }, 'could not store job log lines'))
      .finally(() => (flushing = undefined));
    await flushing;
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  return {
    wrap: (jobLog, job) => tee(jobLog, capture.child({ jobId: job.id, attempt: job.attempts, workerId })),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

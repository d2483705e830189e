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
import { createLogger, redactSecrets, type Logger } from '../logger.ts';

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

/** Where a job's line goes without pino: its job, attempt, the bindings of its child loggers, and the sink. */
interface DirectCapture {
  jobId: string;
  attempt: number;
  /** Bindings of `.child()` calls made on the wrapped logger, redacted, oldest first. */
  bindings: Record<string, unknown>;
  keep(
    jobId: string,
    attempt: number,
    level: JobLogLevel,
    message: string,
    fields: Record<string, unknown>,
  ): void;
}

const METHOD_LEVELS: Record<string, JobLogLevel | null> = {
  trace: null,
  debug: null,
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Keeps a line without going through pino when the call is one of the common shapes — `(msg)`, `(obj, msg)` or
 * `(obj)` with a plain object, no `err`, no printf placeholders — with the same fields and redaction pino would
 * give it (pino would write JSON that `keep` parses back: most of the capture's cost). Returns false for any other
 * shape, which the capture logger then takes.
 */
function captureDirectly(direct: DirectCapture, method: string, args: unknown[]): boolean {
  const level = METHOD_LEVELS[method];
  if (level === null) return true; // below info: not kept
  if (level === undefined) return false;
  let obj: Record<string, unknown> | undefined;
  let msg: string;
  const [first, second] = args;
  if (args.length === 1 && typeof first === 'string') msg = first;
  else if (args.length <= 2 && isPlainObject(first) && (args.length === 1 || typeof second === 'string')) {
    obj = first;
    msg = typeof second === 'string' ? second : '';
  } else return false;
  if (msg.includes('%') || (obj && ('err' in obj || 'msg' in obj))) return false;
  const fields = obj ? { ...direct.bindings, ...redactSecrets(obj) } : direct.bindings;
  direct.keep(direct.jobId, direct.attempt, level, msg, fields);
  return true;
}

/** Made on first use: most jobs never log a line that needs pino, and a pino child per job costs. */
function lazy(make: () => Logger): () => Logger {
  let made: Logger | undefined;
  return () => (made ??= make());
}

/**
 * A logger that writes every call to `primary` and a copy to the capture logger `copy` (or straight to the sink);
 * children stay paired.
 */
function tee(primary: Logger, copy: () => Logger, direct: DirectCapture): Logger {
  return new Proxy(primary, {
    get(target, prop) {
      if (prop === 'child') {
        return (bindings: Record<string, unknown>, options?: object) =>
          tee(
            target.child(bindings, options),
            lazy(() => copy().child(bindings, options)),
            {
              ...direct,
              bindings: { ...direct.bindings, ...redactSecrets(bindings) },
            },
          );
      }
      if (typeof prop === 'string' && LEVEL_METHODS.has(prop)) {
        return (...args: unknown[]) => {
          if (!captureDirectly(direct, prop, args)) {
            (copy() as unknown as Record<string, (...a: unknown[]) => void>)[prop]!(...args);
          }
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

  function add(
    jobId: string,
    attempt: number,
    level: JobLogLevel,
    message: string,
    fields: Record<string, unknown>,
    at: number,
  ): void {
    const kept = Object.entries(fields).filter(([k]) => !OMITTED.has(k));
    let data: string | null;
    try {
      data = kept.length > 0 ? JSON.stringify(Object.fromEntries(kept)) : null;
    } catch {
      data = JSON.stringify({ unserializable: true });
    }
    // Fields whose values JSON leaves out (undefined, functions) do not make a line carry data.
    if (data === '{}') data = null;
    if (data && data.length > MAX_DATA)
      data = JSON.stringify({ truncated: true, preview: data.slice(0, 2000) });
    const lines = pending.get(jobId) ?? [];
    lines.push({
      jobId,
      attempt,
      level,
      message: message.slice(0, MAX_MESSAGE),
      data,
      workerId,
      at: new Date(at),
    });
    buffered++;
    if (lines.length > maxLinesPerJob) {
      buffered -= lines.length - maxLinesPerJob;
      lines.splice(0, lines.length - maxLinesPerJob);
    }
    pending.set(jobId, lines);
    if (buffered > MAX_BUFFERED) void flush();
  }

  /** A line the capture logger wrote (the call shapes captureDirectly leaves to pino). */
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
    add(
      jobId,
      Number(record.attempt) || 0,
      level,
      typeof record.msg === 'string' ? record.msg : '',
      record,
      typeof record.time === 'number' ? record.time : Date.now(),
    );
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
    wrap: (jobLog, job) =>
      tee(
        jobLog,
        lazy(() => capture.child({ jobId: job.id, attempt: job.attempts, workerId })),
        {
          jobId: job.id,
          attempt: job.attempts,
          bindings: {},
          keep: (jobId, attempt, level, message, fields) =>
            add(jobId, attempt, level, message, fields, Date.now()),
        },
      ),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

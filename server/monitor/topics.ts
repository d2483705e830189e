/**
 * Every Redis key and channel of the monitor, all under the deployment's prefix. Names appear nowhere else.
 */
export const monitorKeys = {
  /** Sorted set of worker ids, scored by their last beat (ms). */
  workerIndex: (prefix: string) => `${prefix}:monitor:workers`,
  /** Hash describing one worker; it expires when the worker stops beating. */
  worker: (prefix: string, id: string) => `${prefix}:monitor:worker:${id}`,
  /** Pause/resume notices ("<queue>"); workers then read the paused set from Postgres. */
  queueControlChannel: (prefix: string) => `${prefix}:monitor:queue-control`,
  /** Cluster-wide job counters: field `<counter>|<queue>|<type>`. */
  jobCounters: (prefix: string) => `${prefix}:metrics:jobs`,
  /** Cluster-wide histogram of one measure: fields `<queue>|<type>|<bucket index>`, `…|sum`, `…|count`. */
  histogram: (prefix: string, measure: string) => `${prefix}:metrics:${measure}`,
} as const;

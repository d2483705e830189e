/** Why a handler's signal was aborted; the runner turns each into the right final state. */
export class JobCancelled extends Error {
  readonly code = 'CANCELLED';
  constructor() {
    super('Cancelled by request');
    this.name = 'JobCancelled';
  }
}

export class SoftTimeLimitExceeded extends Error {
  readonly code = 'SOFT_TIME_LIMIT';
  constructor(limitMs: number) {
    super(`Soft time limit of ${limitMs / 1000} s exceeded`);
    this.name = 'SoftTimeLimitExceeded';
  }
}

export class HardTimeLimitExceeded extends Error {
  readonly code = 'TIME_LIMIT';
  constructor(limitMs: number) {
    super(`Hard time limit of ${limitMs / 1000} s exceeded; the job was abandoned`);
    this.name = 'HardTimeLimitExceeded';
  }
}

/** The attempt no longer holds the job (another worker took it over, or it was finished elsewhere). */
export class JobLost extends Error {
  readonly code = 'JOB_LOST';
  constructor() {
    super('This attempt no longer holds the job');
    this.name = 'JobLost';
  }
}

export class WorkerShuttingDown extends Error {
  readonly code = 'WORKER_SHUTDOWN';
  constructor() {
    super('The worker is shutting down');
    this.name = 'WorkerShuttingDown';
  }
}

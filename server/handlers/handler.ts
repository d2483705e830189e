import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { Integration, JobType, SyncJob } from '../../db/types.ts';
import type { Connector } from '../connectors/connector.ts';
import type { PlatformConnector } from '../connectors/platform.ts';
import type { Logger } from '../logger.ts';

/** Options every sync job accepts; checked when the job is queued and again when it runs. */
export const syncOptionsSchema = z
  .object({
    fullSync: z.boolean().default(false),
    batchSize: z.number().int().min(1).max(1000).default(100),
    dryRun: z.boolean().default(false),
    /**
     * Only these item keys (SKUs, order ids): a retry of a job whose items partly failed reruns just those.
     * Used by real-platform integrations (the hub); the sandbox ignores it.
     */
    onlyItems: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
  })
  .strict();
export type SyncOptions = z.infer<typeof syncOptionsSchema>;

export interface ProgressUpdate {
  processed: number;
  total: number | null;
  failed: number;
  message?: string;
}

/** What every handler gets. */
export interface SystemHandlerContext<O> {
  job: SyncJob;
  options: O;
  db: Database;
  /** Aborted on cancel, soft time limit, or when the attempt lost its job. Check it between pages. */
  signal: AbortSignal;
  /** Cheap to call often: writes are coalesced by the runner. */
  progress(update: ProgressUpdate): void;
  log: Logger;
}

/**
 * What a sync handler gets: the job's integration and a connector to its platform — the sandbox's, or a real
 * platform's (ERP or channel), which syncs through the hub (server/hub).
 */
export interface HandlerContext<O> extends SystemHandlerContext<O> {
  integration: Integration;
  connector: Connector | PlatformConnector;
  /**
   * The integration's sync watermarks by resource, read with the claim of this attempt (one round trip fewer per
   * job). Absent when the runner did not read them: read the table then.
   */
  watermarks?: ReadonlyMap<string, Date>;
}

export interface JobResultSummary {
  processed: number;
  total: number | null;
  failed: number;
  message?: string;
  /** Anything worth keeping about the run (per-resource counts, failed item keys, …). */
  details?: Record<string, unknown>;
}

/** A sync handler: runs for one integration, through its connector. */
export interface JobHandler<O = SyncOptions> {
  type: JobType;
  scope?: 'integration';
  options: z.ZodType<O>;
  run(ctx: HandlerContext<O>): Promise<JobResultSummary>;
}

/** Maintenance work that belongs to no integration (cleanup). */
export interface SystemJobHandler<O> {
  type: JobType;
  scope: 'system';
  options: z.ZodType<O>;
  run(ctx: SystemHandlerContext<O>): Promise<JobResultSummary>;
}

export type AnyJobHandler = JobHandler<any> | SystemJobHandler<any>;

/** Identity helper that keeps the option type tied to its schema. */
export function defineHandler<O>(handler: JobHandler<O>): JobHandler<O> {
  return handler;
}

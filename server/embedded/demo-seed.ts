/**
 * First start of the all-in-one: a demo sandbox integration and a handful of jobs, so a newcomer sees the system
 * working at once. Everything goes through the service layer (validation, routing, enqueue), never raw SQL.
 */
import type { SchemaContext } from '../../schema/context.ts';
import type { Logger } from '../logger.ts';

export const DEMO_INTEGRATION_NAME = 'Demo store';

/** A small simulated store: each job takes a few seconds, long enough to watch progress. */
const DEMO_SETTINGS = {
  products: 120,
  variantsPerProduct: 2,
  warehouses: 2,
  orders: 40,
  latencyMs: 40,
  pageSize: 25,
};

/** One of each kind of sync, at different priorities (so on different queues). Types differ: no dedup. */
const DEMO_JOBS = [
  { syncType: 'PRODUCTS', priority: 'NORMAL', options: { batchSize: 50 } },
  { syncType: 'INVENTORY', priority: 'NORMAL' },
  { syncType: 'ORDERS', priority: 'HIGH' },
  { syncType: 'ALL', priority: 'LOW', options: { fullSync: true } },
] as const;

/** Seeds the demo when the database has no integration yet; returns what it created, or null. */
export async function seedDemoIfEmpty(
  services: Pick<SchemaContext, 'integrations' | 'jobs'>,
  log: Logger,
): Promise<{ integrationId: string; jobIds: string[] } | null> {
  if ((await services.integrations.list()).length > 0) return null;
  const integration = await services.integrations.create({
    name: DEMO_INTEGRATION_NAME,
    settings: DEMO_SETTINGS,
  });
  const jobIds: string[] = [];
  for (const job of DEMO_JOBS) {
    const { job: created } = await services.jobs.create({ integrationId: integration.id, ...job });
    jobIds.push(created.id);
  }
  log.info(
    { integrationId: integration.id, jobs: jobIds.length },
    `seeded the demo: sandbox integration "${DEMO_INTEGRATION_NAME}" and ${jobIds.length} jobs (DEMO_SEED=false turns this off)`,
  );
  return { integrationId: integration.id, jobIds };
}

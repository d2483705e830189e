/**
 * First start of the all-in-one: a demo sandbox integration and a handful of jobs, so a newcomer sees the system
 * working at once, and one integration per running platform emulator (Bling, Mercado Livre, Nuvemshop) pointed at
 * it. Later starts give those integrations the credentials their emulators issued this time. Everything goes
 * through the service layer (validation, sealing, routing, enqueue), never raw SQL.
 */
import type { SchemaContext } from '../../schema/context.ts';
import type { Logger } from '../logger.ts';
import type { DemoPlatform } from './demo-emulators.ts';

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

/** The name of the demo integration of an emulated platform. */
export function demoIntegrationName(platform: Pick<DemoPlatform, 'label'>): string {
  return `Demo ${platform.label}`;
}

type Services = Pick<SchemaContext, 'integrations' | 'jobs'>;

/**
 * Seeds the demo when the database has no integration yet; returns what it created, or null. On a database that
 * has integrations, the demo ones of the emulated platforms get this start's credentials instead.
 */
export async function seedDemoIfEmpty(
  services: Services,
  log: Logger,
  emulated: readonly DemoPlatform[] = [],
): Promise<{ integrationId: string; jobIds: string[]; platformIntegrations: Record<string, string> } | null> {
  const existing = await services.integrations.list();
  if (existing.length > 0) {
    await reconnectDemoIntegrations(services, log, existing, emulated);
    return null;
  }
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
  const platformIntegrations: Record<string, string> = {};
  for (const platform of emulated) {
    try {
      const created = await services.integrations.create({
        name: demoIntegrationName(platform),
        platform: platform.platform,
        settings: platform.settings,
        credentials: platform.credentials,
      });
      platformIntegrations[platform.platform] = created.id;
      log.info(
        { integrationId: created.id, platform: platform.platform },
        `seeded "${demoIntegrationName(platform)}", connected to the emulator at ${platform.url}`,
      );
    } catch (err) {
      // A platform this build has no connector for: the others are still seeded.
      log.warn({ err, platform: platform.platform }, `could not seed "${demoIntegrationName(platform)}"`);
    }
  }
  return { integrationId: integration.id, jobIds, platformIntegrations };
}

/**
 * The emulators forget everything when they stop, refresh tokens they rotated included: the integrations pointed at
 * them get the credentials issued at this start (saving credentials also closes a breaker they tripped).
 */
async function reconnectDemoIntegrations(
  services: Services,
  log: Logger,
  existing: Awaited<ReturnType<Services['integrations']['list']>>,
  emulated: readonly DemoPlatform[],
): Promise<void> {
  for (const platform of emulated) {
    const pointed = existing.filter((i) => {
      const baseUrl = (i.settings as { baseUrl?: unknown } | null)?.baseUrl;
      return (
        i.platform === platform.platform &&
        typeof baseUrl === 'string' &&
        (baseUrl === platform.url || baseUrl.startsWith(`${platform.url}/`))
      );
    });
    for (const integration of pointed) {
      try {
        await services.integrations.update(integration.id, { credentials: platform.credentials });
        log.info(
          { integrationId: integration.id, platform: platform.platform },
          `"${integration.name}" reconnected to the emulator at ${platform.url}`,
        );
      } catch (err) {
        log.warn({ err, integrationId: integration.id }, `could not reconnect "${integration.name}"`);
      }
    }
  }
}

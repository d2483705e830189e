/**
 * The three real-platform emulators (Bling, Mercado Livre, Nuvemshop) started together on port 0, and
 * integrations pointing at them created over the API (credentials sealed by the service, as in production), plus
 * helpers to run sync jobs over GraphQL and wait for their end. For end-to-end tests of the hub.
 */
import type { Database } from '../../db/database.ts';
import type { SyncJob } from '../../db/types.ts';
import {
  startBlingEmulator,
  type BlingEmulator,
  type BlingEmulatorOptions,
} from '../emulators/bling/index.ts';
import {
  startMercadoLivreEmulator,
  type MercadoLivreEmulator,
  type MercadoLivreEmulatorOptions,
} from '../emulators/mercadolivre/index.ts';
import { startNuvemshopEmulator, type NuvemshopEmulator } from '../emulators/nuvemshop/index.ts';
import { gql } from './stack.ts';
import { waitForJob } from './wait.ts';

export const NUVEMSHOP_USER_AGENT = 'Sync Orchestrator tests (tests@example.com)';
/** Bling's loja id for each channel, stored on imported orders. */
export const BLING_STORES = { MERCADO_LIVRE: 203, NUVEMSHOP: 204 } as const;

export interface Platforms {
  bling: BlingEmulator;
  ml: MercadoLivreEmulator;
  nuvemshop: NuvemshopEmulator;
  /** The Nuvemshop store the integrations use. */
  nuvemshopStore: { id: string; token: string };
  close(): Promise<void>;
}

export async function startPlatforms(
  options: { bling?: BlingEmulatorOptions; ml?: MercadoLivreEmulatorOptions; nuvemshopLagMs?: number } = {},
): Promise<Platforms> {
  const bling = await startBlingEmulator(options.bling);
  const ml = await startMercadoLivreEmulator({ rateLimit: null, ...options.ml });
  const nuvemshopStore = { id: '5100', token: 'nuvemshop-store-token' };
  const nuvemshop = await startNuvemshopEmulator({
    seed: { ...nuvemshopStore, name: 'Loja', lagMs: options.nuvemshopLagMs ?? 0 },
  });
  return {
    bling,
    ml,
    nuvemshop,
    nuvemshopStore,
    async close() {
      await Promise.all([bling.close(), ml.close(), nuvemshop.close()]);
    },
  };
}

export interface PlatformIntegrationIds {
  bling: string;
  ml: string;
  nuvemshop: string;
}

/** Settings and credentials of an integration for each emulator; `overrides` merge into the settings. */
export function platformInputs(
  p: Platforms,
  overrides: { bling?: object; ml?: object; nuvemshop?: object } = {},
) {
  const blingTokens = p.bling.issueTokens();
  const mlTokens = p.ml.issueTokens();
  return {
    bling: {
      name: 'Bling ERP',
      platform: 'BLING',
      settings: {
        baseUrl: `${p.bling.url}/Api/v3`,
        depositoId: 1,
        contactId: 1,
        stores: BLING_STORES,
        ...overrides.bling,
      },
      credentials: {
        clientId: p.bling.clientId,
        clientSecret: p.bling.clientSecret,
        refreshToken: blingTokens.refreshToken,
        accessToken: blingTokens.accessToken,
        expiresAt: blingTokens.expiresAt.toISOString(),
      },
    },
    ml: {
      name: 'Mercado Livre',
      platform: 'MERCADO_LIVRE',
      settings: {
        baseUrl: p.ml.url,
        sellerId: String(p.ml.sellerId),
        categoryId: 'MLB1055',
        ...overrides.ml,
      },
      credentials: {
        clientId: p.ml.client.clientId,
        clientSecret: p.ml.client.clientSecret,
        refreshToken: mlTokens.refreshToken,
        accessToken: mlTokens.accessToken,
        expiresAt: mlTokens.expiresAt.toISOString(),
      },
    },
    nuvemshop: {
      name: 'Nuvemshop',
      platform: 'NUVEMSHOP',
      settings: {
        baseUrl: p.nuvemshop.baseUrl(),
        storeId: p.nuvemshopStore.id,
        userAgent: NUVEMSHOP_USER_AGENT,
        ...overrides.nuvemshop,
      },
      credentials: { accessToken: p.nuvemshopStore.token },
    },
  };
}

/** Creates an integration over GraphQL and returns its id. */
export async function createIntegrationOverApi(url: string, input: object): Promise<string> {
  const result = await gql<{ createIntegration: { id: string } }>(
    url,
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
    { input },
  );
  if (!result.data?.createIntegration) throw new Error(JSON.stringify(result.errors));
  return result.data.createIntegration.id;
}

/** The three integrations (Bling, Mercado Livre, Nuvemshop), created over the API. */
export async function createPlatformIntegrations(
  url: string,
  p: Platforms,
  overrides: Parameters<typeof platformInputs>[1] = {},
): Promise<PlatformIntegrationIds> {
  const inputs = platformInputs(p, overrides);
  return {
    bling: await createIntegrationOverApi(url, inputs.bling),
    ml: await createIntegrationOverApi(url, inputs.ml),
    nuvemshop: await createIntegrationOverApi(url, inputs.nuvemshop),
  };
}

export type SyncTypeName = 'PRODUCTS' | 'INVENTORY' | 'ORDERS' | 'ALL';

/** Queues a sync job over GraphQL and returns its id. */
export async function queueSyncJob(
  url: string,
  integrationId: string,
  syncType: SyncTypeName,
  options: Record<string, unknown> = {},
  maxAttempts?: number,
): Promise<string> {
  const result = await gql<{ createSyncJob: { job: { id: string } } }>(
    url,
    `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`,
    {
      input: {
        integrationId,
        syncType,
        options,
        ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      },
    },
  );
  if (!result.data?.createSyncJob) throw new Error(JSON.stringify(result.errors));
  return result.data.createSyncJob.job.id;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Waits for a job to end; throws with the job's error unless it COMPLETED (when `expectCompleted`). */
export async function waitForEnd(
  db: Database,
  id: string,
  timeoutMs = 30_000,
  expectCompleted = true,
): Promise<SyncJob> {
  const job = await waitForJob(db, id, (j) => TERMINAL.has(j.status), `job ${id} to end`, timeoutMs);
  if (expectCompleted && job.status !== 'COMPLETED') {
    throw new Error(`job ${id} ended ${job.status}: ${JSON.stringify(job.error)} ${job.message ?? ''}`);
  }
  return job;
}

/** Queues a job over GraphQL and waits for it to complete. */
export async function runSyncJob(
  url: string,
  db: Database,
  integrationId: string,
  syncType: SyncTypeName,
  options: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<SyncJob> {
  return waitForEnd(db, await queueSyncJob(url, integrationId, syncType, options), timeoutMs);
}

export interface ChannelListing {
  name: string;
  price: string;
  available: number | null;
  /** How many listings carry the SKU (more than one is a duplicate). */
  copies: number;
}

/** What Mercado Livre shows for each SKU of the seller (items and their variations). */
export function mlListings(p: Platforms): Map<string, ChannelListing> {
  const out = new Map<string, ChannelListing>();
  const add = (sku: string | null, listing: Omit<ChannelListing, 'copies'>) => {
    if (!sku) return;
    const seen = out.get(sku);
    out.set(sku, { ...listing, copies: (seen?.copies ?? 0) + 1 });
  };
  for (const item of p.ml.state.items.all()) {
    if (item.sellerId !== p.ml.sellerId) continue;
    if (item.variations.length === 0) {
      add(item.sku, { name: item.title, price: item.price.toFixed(2), available: item.availableQuantity });
    }
    for (const v of item.variations) {
      add(v.sku, { name: item.title, price: v.price.toFixed(2), available: v.availableQuantity });
    }
  }
  return out;
}

/** What the Nuvemshop store shows for each SKU (each variant). */
export function nuvemshopListings(p: Platforms): Map<string, ChannelListing> {
  const out = new Map<string, ChannelListing>();
  const store = p.nuvemshop.state.store(p.nuvemshopStore.id);
  for (const product of store?.products.all() ?? []) {
    const name = product.name.pt ?? Object.values(product.name)[0] ?? '';
    for (const v of product.variants) {
      if (!v.sku) continue;
      const seen = out.get(v.sku);
      out.set(v.sku, {
        name,
        price: v.price ?? '',
        available: v.stock,
        copies: (seen?.copies ?? 0) + 1,
      });
    }
  }
  return out;
}

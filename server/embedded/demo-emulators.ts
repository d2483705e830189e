/**
 * Local stand-ins for Bling, Mercado Livre and Nuvemshop in the all-in-one (`npm start`), so a newcomer can connect
 * real-platform integrations without accounts: the test emulators (they speak each platform's wire protocol),
 * started on fixed ports next to the API and filled with one small demo catalog (the same SKUs everywhere) and a
 * few orders. Each start also hands out fresh demo credentials: the emulators keep their state in memory, so the
 * tokens of a previous run (rotated by refreshes) are gone with it.
 *
 * The emulators live with the tests and are loaded by a computed path, only when enabled: production builds
 * neither compile nor load them.
 */
import type { Logger } from '../logger.ts';

export type DemoPlatformName = 'BLING' | 'MERCADO_LIVRE' | 'NUVEMSHOP';

/** One running emulator and how an integration connects to it. */
export interface DemoPlatform {
  platform: DemoPlatformName;
  label: string;
  /** Its label in the start banner (nine columns). */
  short: string;
  /** The emulator's root URL. */
  url: string;
  /** Settings of a demo integration pointed at it. */
  settings: Record<string, unknown>;
  /** Credentials the emulator accepts (issued at this start). */
  credentials: Record<string, unknown>;
}

export interface DemoEmulators {
  platforms: DemoPlatform[];
  stop: () => Promise<void>;
}

/** The part of an emulator this module uses; the emulators' own types stay out of the server's build. */
interface RunningEmulator {
  url: string;
  close(): Promise<void>;
}

interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

interface BlingModule {
  startBlingEmulator: (options: {
    port: number;
    host: string;
    clientId: string;
    clientSecret: string;
  }) => Promise<RunningEmulator & { seed(seed: unknown): unknown; issueTokens(): IssuedTokens }>;
}

interface MercadoLivreModule {
  ML_DEFAULT_CLIENT: { clientId: string; clientSecret: string };
  startMercadoLivreEmulator: (options: {
    port: number;
    seed?: unknown;
    rateLimit?: { capacity: number; refillPerSecond: number } | null;
  }) => Promise<
    RunningEmulator & {
      sellerId: number;
      issueTokens(): IssuedTokens;
      seed(data: unknown): { items: { id: string; sku: string | null; variations: unknown[] }[] };
    }
  >;
}

interface NuvemshopModule {
  startNuvemshopEmulator: (options: {
    port: number;
    seed?: unknown;
  }) => Promise<RunningEmulator & { baseUrl(version?: string): string }>;
}

const MODULES = {
  BLING: '../../test/emulators/bling/index.ts',
  MERCADO_LIVRE: '../../test/emulators/mercadolivre/index.ts',
  NUVEMSHOP: '../../test/emulators/nuvemshop/index.ts',
} as const;

async function load<T>(platform: DemoPlatformName): Promise<T> {
  // A computed specifier: the TypeScript build does not follow it into the test folder.
  const specifier = new URL(MODULES[platform], import.meta.url).href;
  return (await import(specifier)) as T;
}

/** The demo catalog: 12 products, every fifth with two variations, the same SKUs in the ERP and on the channels. */
const PRODUCTS = Array.from({ length: 12 }, (_, i) => {
  const n = i + 1;
  const sku = `SKU-${String(n).padStart(4, '0')}`;
  return {
    n,
    sku,
    name: `Produto demo ${n}`,
    price: 19.9 + n * 5,
    skus: n % 5 === 0 ? [`${sku}-P`, `${sku}-G`] : [sku],
  };
});

/** The channels list most of the catalog; the last two products exist only in the ERP (a products sync lists them). */
const LISTED = PRODUCTS.slice(0, 10);

const DEMO_BLING_CLIENT = { clientId: 'demo-bling-client', clientSecret: 'demo-bling-secret' };
const DEMO_NUVEMSHOP_STORE = { id: '1001', token: 'demo-nuvemshop-token' };
export const DEMO_USER_AGENT = 'Sync Orchestrator demo (demo@example.com)';

async function startBling(port: number): Promise<{ emulator: RunningEmulator; demo: DemoPlatform }> {
  const { startBlingEmulator } = await load<BlingModule>('BLING');
  // Loopback only, like the other two: they are for this machine's worker and browser.
  const emulator = await startBlingEmulator({ port, host: '127.0.0.1', ...DEMO_BLING_CLIENT });
  emulator.seed({
    warehouses: [
      { id: 1, name: 'Geral', default: true },
      { id: 2, name: 'Loja física' },
    ],
    products: PRODUCTS.map((p) => ({
      sku: p.sku,
      name: p.name,
      price: p.price.toFixed(2),
      ...(p.skus.length > 1
        ? { variations: p.skus.map((sku) => ({ sku, name: `${p.name} ${sku.slice(-1)}` })) }
        : {}),
    })),
    stock: PRODUCTS.flatMap((p) =>
      p.skus.flatMap((sku) => [
        { sku, warehouseId: 1, quantity: (p.n * 3) % 17 },
        { sku, warehouseId: 2, quantity: p.n % 4 },
      ]),
    ),
  });
  const tokens = emulator.issueTokens();
  return {
    emulator,
    demo: {
      platform: 'BLING',
      label: 'Bling',
      short: 'Bling',
      url: emulator.url,
      settings: {
        baseUrl: `${emulator.url}/Api/v3`,
        depositoId: 1,
        contactId: 1,
        stores: { MERCADO_LIVRE: 203, NUVEMSHOP: 204 },
      },
      credentials: {
        ...DEMO_BLING_CLIENT,
        refreshToken: tokens.refreshToken,
        accessToken: tokens.accessToken,
        expiresAt: tokens.expiresAt.toISOString(),
      },
    },
  };
}

async function startMercadoLivre(port: number): Promise<{ emulator: RunningEmulator; demo: DemoPlatform }> {
  const { startMercadoLivreEmulator, ML_DEFAULT_CLIENT } = await load<MercadoLivreModule>('MERCADO_LIVRE');
  const emulator = await startMercadoLivreEmulator({ port, rateLimit: null });
  const { items } = emulator.seed({
    items: LISTED.map((p) =>
      p.skus.length > 1
        ? {
            title: p.name,
            price: p.price,
            variations: p.skus.map((sku, v) => ({
              sku,
              price: p.price,
              availableQuantity: 1,
              combinations: [{ id: 'SIZE', name: 'Tamanho', value: v === 0 ? 'P' : 'G' }],
            })),
          }
        : { title: p.name, price: p.price, availableQuantity: 1, sku: p.sku },
    ),
  });
  const now = Date.now();
  const simple = items.filter((i) => i.variations.length === 0 && i.sku !== null);
  emulator.seed({
    orders: simple.slice(0, 4).map((item, n) => ({
      status: n === 3 ? 'cancelled' : 'paid',
      updatedAt: now - (4 - n) * 3_600_000,
      lines: [{ itemId: item.id, sku: item.sku, quantity: 1 + (n % 2), unitPrice: 29.9 + n }],
    })),
  });
  const tokens = emulator.issueTokens();
  return {
    emulator,
    demo: {
      platform: 'MERCADO_LIVRE',
      label: 'Mercado Livre',
      short: 'ML',
      url: emulator.url,
      settings: { baseUrl: emulator.url, sellerId: String(emulator.sellerId), safetyBuffer: 1 },
      credentials: {
        ...ML_DEFAULT_CLIENT,
        refreshToken: tokens.refreshToken,
        accessToken: tokens.accessToken,
        expiresAt: tokens.expiresAt.toISOString(),
      },
    },
  };
}

async function startNuvemshop(port: number): Promise<{ emulator: RunningEmulator; demo: DemoPlatform }> {
  const { startNuvemshopEmulator } = await load<NuvemshopModule>('NUVEMSHOP');
  const now = Date.now();
  const emulator = await startNuvemshopEmulator({
    port,
    seed: {
      ...DEMO_NUVEMSHOP_STORE,
      name: 'Loja demo',
      products: LISTED.map((p) => ({
        name: p.name,
        variants: p.skus.map((sku) => ({ sku, price: p.price.toFixed(2), stock: 0 })),
      })),
      orders: LISTED.slice(0, 4).map((p, n) => ({
        status: 'open',
        payment_status: n === 0 ? 'pending' : 'paid',
        updatedAt: now - (4 - n) * 3_600_000,
        products: [{ sku: p.skus[0]!, quantity: 1 + (n % 2) }],
      })),
    },
  });
  return {
    emulator,
    demo: {
      platform: 'NUVEMSHOP',
      label: 'Nuvemshop',
      short: 'Nuvemshop',
      url: emulator.url,
      settings: { baseUrl: emulator.baseUrl(), storeId: DEMO_NUVEMSHOP_STORE.id, userAgent: DEMO_USER_AGENT },
      credentials: { accessToken: DEMO_NUVEMSHOP_STORE.token },
    },
  };
}

/**
 * Starts the three emulators on `basePort`, +1 and +2 (0: any free ports). One whose port is taken is left out
 * with a warning: the rest of the system runs without it.
 */
export async function startDemoEmulators(options: { basePort: number; log: Logger }): Promise<DemoEmulators> {
  const portOf = (offset: number) => (options.basePort === 0 ? 0 : options.basePort + offset);
  const starters: [DemoPlatformName, () => Promise<{ emulator: RunningEmulator; demo: DemoPlatform }>][] = [
    ['BLING', () => startBling(portOf(0))],
    ['MERCADO_LIVRE', () => startMercadoLivre(portOf(1))],
    ['NUVEMSHOP', () => startNuvemshop(portOf(2))],
  ];
  const running: RunningEmulator[] = [];
  const platforms: DemoPlatform[] = [];
  const stop = async () => {
    await Promise.all(running.map((e) => e.close().catch(() => undefined)));
  };
  try {
    for (const [platform, start] of starters) {
      try {
        const { emulator, demo } = await start();
        running.push(emulator);
        platforms.push(demo);
      } catch (err) {
        if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
        options.log.warn(
          `the ${platform} emulator's port is in use: it is not started (choose other ports with EMULATORS_BASE_PORT)`,
        );
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { platforms, stop };
}

/**
 * The sandbox platform: a simulated ERP and storefront kept in Postgres, behind the same interface as a real
 * platform, including latency, random 503s and a server-side page-size cap, so jobs can be tried without credentials.
 *
 * Write results carry a code: `CREATED` and `UPDATED` (status 'ok'), `UNCHANGED` and `DUPLICATE` (status
 * 'skipped'), or an `INVALID_*` code (status 'failed').
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import {
  countSandboxOrders,
  countSandboxProducts,
  countSandboxStockLevels,
  importSandboxOrders,
  listSandboxOrders,
  listSandboxProducts,
  listSandboxStockLevels,
  setSandboxListingStock,
  upsertSandboxListings,
  type KeyedOutcome,
  type KeysetPosition,
} from '../../db/queries/sandbox.ts';
import type { Integration } from '../../db/types.ts';
import { PermanentError, TransientError } from '../errors.ts';
import type {
  Connector,
  Cursor,
  ExtOrder,
  ExtProduct,
  ExtStockLevel,
  ItemResult,
  Page,
  ReadQuery,
  WriteOptions,
} from './connector.ts';
import { sandboxSettingsSchema, type SandboxSettings } from './sandbox-settings.ts';

export interface SandboxConnectorOptions {
  /** Source of randomness for simulated failures; injectable so tests can decide which calls fail. */
  random?: () => number;
}

const cursorSchema = z.object({
  updatedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  key: z.string(),
});

export function encodeCursor(position: KeysetPosition): Cursor {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: Cursor): KeysetPosition {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new PermanentError('The page cursor is not valid', 'INVALID_CURSOR');
  }
}

export function parseSandboxSettings(settings: unknown): SandboxSettings {
  const parsed = sandboxSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    throw new PermanentError(
      `Invalid sandbox settings: ${z.prettifyError(parsed.error)}`,
      'INVALID_SETTINGS',
    );
  }
  return parsed.data;
}

const PRICE_PATTERN = /^\d{1,10}(\.\d{1,2})?$/;
const MAX_NAME_LENGTH = 200;

/**
 * Runs a batch write the way a platform API would: invalid items are rejected one by one, and when a key repeats
 * only its last occurrence is written (the earlier ones are reported as `DUPLICATE`), one result per input item.
 */
async function writeBatch<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  validate: (item: T) => ItemResult | undefined,
  write: (valid: T[]) => Promise<KeyedOutcome[]>,
): Promise<ItemResult[]> {
  const results: (ItemResult | undefined)[] = items.map(validate);
  const lastIndexByKey = new Map<string, number>();
  items.forEach((item, index) => {
    if (!results[index]) lastIndexByKey.set(keyOf(item), index);
  });
  const toWrite: T[] = [];
  items.forEach((item, index) => {
    if (results[index]) return;
    if (lastIndexByKey.get(keyOf(item)) === index) toWrite.push(item);
    else results[index] = { key: keyOf(item), status: 'skipped', code: 'DUPLICATE' };
  });

  const outcomes = new Map((await write(toWrite)).map((o) => [o.key, o.outcome]));
  return items.map((item, index) => {
    const decided = results[index];
    if (decided) return decided;
    const key = keyOf(item);
    switch (outcomes.get(key)) {
      case 'created':
        return { key, status: 'ok', code: 'CREATED' };
      case 'updated':
        return { key, status: 'ok', code: 'UPDATED' };
      case 'unchanged':
        return { key, status: 'skipped', code: 'UNCHANGED' };
      default:
        return {
          key,
          status: 'failed',
          code: 'NOT_WRITTEN',
          message: 'The platform did not acknowledge the item',
        };
    }
  });
}

function invalid(key: string, code: string, message: string): ItemResult {
  return { key, status: 'failed', code, message };
}

function validateProduct(product: ExtProduct): ItemResult | undefined {
  if (product.name.trim().length === 0 || product.name.length > MAX_NAME_LENGTH) {
    return invalid(
      product.sku,
      'INVALID_NAME',
      `A listing name must have 1 to ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!PRICE_PATTERN.test(product.price)) {
    return invalid(product.sku, 'INVALID_PRICE', `"${product.price}" is not a valid price`);
  }
  return undefined;
}

function validateStockLevel(level: ExtStockLevel): ItemResult | undefined {
  if (!Number.isSafeInteger(level.available) || level.available < 0 || level.available > 2_147_483_647) {
    return invalid(level.sku, 'INVALID_QUANTITY', `${level.available} is not a valid quantity`);
  }
  return undefined;
}

function validateOrder(order: ExtOrder): ItemResult | undefined {
  if (order.status.trim().length === 0)
    return invalid(order.externalId, 'INVALID_STATUS', 'The status is empty');
  if (!PRICE_PATTERN.test(order.total)) {
    return invalid(order.externalId, 'INVALID_TOTAL', `"${order.total}" is not a valid order total`);
  }
  return undefined;
}

export function createSandboxConnector(
  db: Database,
  integration: Integration,
  options: SandboxConnectorOptions = {},
): Connector {
  const settings = parseSandboxSettings(integration.settings);
  const random = options.random ?? Math.random;
  const integrationId = integration.id;

  /** What every simulated API call goes through before touching data. */
  async function platformCall(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (settings.latencyMs > 0) {
      try {
        await delay(settings.latencyMs, undefined, { signal });
      } catch (err) {
        // Surface the caller's reason rather than the timer's generic AbortError.
        if (signal.aborted) throw signal.reason;
        throw err;
      }
    }
    if (settings.failureRate > 0 && random() < settings.failureRate) {
      throw new TransientError('Sandbox platform returned 503', 'PLATFORM_UNAVAILABLE');
    }
  }

  async function readPage<R extends { position: KeysetPosition }, T>(
    q: ReadQuery,
    list: (page: { updatedSince?: Date; after?: KeysetPosition; limit: number }) => Promise<R[]>,
    toItem: (record: R) => T,
  ): Promise<Page<T>> {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    await platformCall(q.signal);
    const pageSize = Math.max(1, Math.min(Math.floor(q.pageSize), settings.pageSize));
    // One extra row tells whether another page exists, so the last page never comes back empty.
    const records = await list({
      ...(q.updatedSince ? { updatedSince: q.updatedSince } : {}),
      ...(after ? { after } : {}),
      limit: pageSize + 1,
    });
    const pageRecords = records.slice(0, pageSize);
    const last = pageRecords.at(-1);
    const page: Page<T> = { items: pageRecords.map(toItem) };
    if (records.length > pageSize && last) page.next = encodeCursor(last.position);
    return page;
  }

  return {
    platform: 'SANDBOX',

    async countProducts(q) {
      await platformCall(q.signal);
      return countSandboxProducts(db, integrationId, q.updatedSince);
    },
    async countStock(q) {
      await platformCall(q.signal);
      return countSandboxStockLevels(db, integrationId, q.updatedSince);
    },
    async countOrders(q) {
      await platformCall(q.signal);
      return countSandboxOrders(db, integrationId, q.updatedSince);
    },

    listProducts(q) {
      return readPage(
        q,
        (page) => listSandboxProducts(db, integrationId, page),
        (r): ExtProduct => ({
          sku: r.sku,
          productCode: r.productCode,
          name: r.name,
          price: r.price,
          updatedAt: r.updatedAt,
        }),
      );
    },
    listStock(q) {
      return readPage(
        q,
        (page) => listSandboxStockLevels(db, integrationId, page),
        (r): ExtStockLevel => ({ sku: r.sku, available: r.quantity, updatedAt: r.updatedAt }),
      );
    },
    listOrders(q) {
      return readPage(
        q,
        (page) => listSandboxOrders(db, integrationId, page),
        (r): ExtOrder => ({
          externalId: r.externalId,
          status: r.status,
          total: r.total,
          updatedAt: r.updatedAt,
        }),
      );
    },

    async upsertListings(items: ExtProduct[], opts: WriteOptions) {
      await platformCall(opts.signal);
      return writeBatch(
        items,
        (p) => p.sku,
        validateProduct,
        (valid) =>
          upsertSandboxListings(
            db,
            integrationId,
            valid.map((p) => ({ sku: p.sku, name: p.name, price: p.price })),
            { dryRun: opts.dryRun },
          ),
      );
    },
    async setListingStock(levels: ExtStockLevel[], opts: WriteOptions) {
      await platformCall(opts.signal);
      return writeBatch(
        levels,
        (l) => l.sku,
        validateStockLevel,
        (valid) =>
          setSandboxListingStock(
            db,
            integrationId,
            valid.map((l) => ({ sku: l.sku, quantity: l.available })),
            { dryRun: opts.dryRun },
          ),
      );
    },
    async importOrders(orders: ExtOrder[], opts: WriteOptions) {
      await platformCall(opts.signal);
      return writeBatch(
        orders,
        (o) => o.externalId,
        validateOrder,
        (valid) =>
          importSandboxOrders(
            db,
            integrationId,
            valid.map((o) => ({ externalId: o.externalId, status: o.status, total: o.total })),
            { dryRun: opts.dryRun },
          ),
      );
    },
  };
}

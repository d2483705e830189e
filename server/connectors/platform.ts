/**
 * Connectors to real platforms. The hub (Postgres) sits between them: an ERP is the source of truth for catalog
 * and stock and the destination of orders; a sales channel receives catalog and stock and is the source of orders.
 * Both are HTTP clients built on the shared platform HTTP layer (./http), configured by base URL.
 */
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Cursor, ItemResult, Page } from './connector.ts';
import type { AuthStrategy, PlatformHttp, RateLimitPolicy } from './http/types.ts';

export const REAL_PLATFORMS = ['BLING', 'MERCADO_LIVRE', 'NUVEMSHOP'] as const;
export type RealPlatform = (typeof REAL_PLATFORMS)[number];

export interface PlatformLimits {
  /** Largest page the platform serves. */
  maxPageSize: number;
  /** Most items one write call may carry. A job's `batch_size` is capped by it. */
  maxBatchWrite: number;
}

export interface IncrementalQuery {
  /** Only records changed at or after this instant. Absent for a full read. */
  updatedSince?: Date;
  cursor?: Cursor;
  pageSize: number;
  signal: AbortSignal;
}

export interface PlatformWriteOptions {
  /** In a dry run the HTTP layer refuses any non-GET request: connectors report what they would write. */
  dryRun: boolean;
  signal: AbortSignal;
}

/** One sellable SKU (a variant) as the ERP holds it. */
export interface ErpProduct {
  sku: string;
  name: string;
  /** Decimal string, e.g. "129.90". */
  price: string;
  /** The ERP's id of this SKU's record. */
  externalId: string;
  /** The ERP's id of the parent product when the SKU is a variation. */
  parentExternalId: string | null;
  updatedAt: Date;
}

/** Stock on hand of one SKU in one ERP warehouse (depósito). */
export interface ErpStockLevel {
  sku: string;
  warehouse: string;
  onHand: number;
  updatedAt: Date;
}

export const ORDER_STATUSES = ['PENDING', 'PAID', 'CANCELLED', 'SHIPPED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: string;
}

/** An order read from a sales channel, normalised. */
export interface ChannelOrder {
  externalId: string;
  /** Mercado Livre cart purchases share a pack id. */
  packId: string | null;
  status: OrderStatus;
  total: string;
  lines: OrderLine[];
  createdAt: Date;
  updatedAt: Date;
}

/** An order as the hub sends it to the ERP. */
export interface OrderForErp extends ChannelOrder {
  /** Which channel it came from (the integration's platform), stored by the ERP beside the channel's order number. */
  channel: RealPlatform;
}

/** Where a SKU lives on a channel. */
export interface ChannelRef {
  productId: string;
  variantId: string | null;
}

export interface ErpConnector {
  readonly role: 'erp';
  readonly platform: RealPlatform;
  readonly limits: PlatformLimits;
  /** Validates (and if needed refreshes) credentials; throws PlatformAuthError when they are bad. */
  checkAuth(signal: AbortSignal): Promise<void>;
  listProducts(q: IncrementalQuery): Promise<Page<ErpProduct>>;
  listStock(q: IncrementalQuery): Promise<Page<ErpStockLevel>>;
  /**
   * Creates the order in the ERP unless the ERP already has one with the same channel order number (idempotent:
   * 'skipped' with code ALREADY_IMPORTED). Returns 'ok' with code CREATED, or 'failed' with an item error code.
   */
  importOrder(order: OrderForErp, opts: PlatformWriteOptions): Promise<ItemResult & { erpId?: string }>;
}

export interface ChannelConnector {
  readonly role: 'channel';
  readonly platform: RealPlatform;
  readonly limits: PlatformLimits;
  checkAuth(signal: AbortSignal): Promise<void>;
  /** The channel's listings for each SKU: none (unmapped), one, or several (ambiguous). */
  resolveSkus(skus: readonly string[], signal: AbortSignal): Promise<Map<string, ChannelRef[]>>;
  /**
   * Creates or updates each product by SKU (name and price). `ref` is the known link, if any; a created listing
   * comes back with its new ref (code CREATED), an update with code UPDATED.
   */
  upsertProducts(
    items: readonly { product: ErpProduct; ref: ChannelRef | null }[],
    opts: PlatformWriteOptions,
  ): Promise<(ItemResult & { ref?: ChannelRef })[]>;
  /** Sets absolute available quantities. */
  setStock(
    levels: readonly { sku: string; ref: ChannelRef; available: number }[],
    opts: PlatformWriteOptions,
  ): Promise<ItemResult[]>;
  listOrders(q: IncrementalQuery): Promise<Page<ChannelOrder>>;
}

export type PlatformConnector = ErpConnector | ChannelConnector;

/** Access and refresh tokens of an OAuth integration (Bling, Mercado Livre). */
export interface OAuthTokens {
  accessToken: string;
  /** Single-use on Mercado Livre: each refresh returns a new one, and the old one is dead. */
  refreshToken: string;
  expiresAt: Date;
}

/** What a platform definition gets to build its connector for one job run. */
export interface ConnectorContext {
  integrationId: string;
  /** The integration's settings, parsed by the definition's `settings` schema. */
  settings: unknown;
  /** The integration's credentials, opened and parsed by the definition's `credentials` schema. */
  credentials: unknown;
  dryRun: boolean;
  log: Logger;
  /** An HTTP client bound to this integration: shared rate limit, retries, breaker, dry-run guard. */
  http(options: {
    baseUrl: string;
    rateLimit: RateLimitPolicy;
    auth: AuthStrategy;
    defaultHeaders?: Record<string, string>;
    timeoutMs?: number;
  }): PlatformHttp;
  /**
   * An OAuth strategy bound to this integration: tokens are kept sealed in Postgres, refreshed by one process at
   * a time (a Redis lock), and a new refresh token is saved before the access token that came with it is used.
   * `refresh` performs the platform's token call.
   */
  oauth(options: {
    refresh(refreshToken: string, signal: AbortSignal): Promise<OAuthTokens>;
    /** Header(s) for an access token; defaults to `Authorization: Bearer <token>`. */
    authorize?(accessToken: string): Record<string, string>;
  }): AuthStrategy;
}

export interface PlatformDefinition<C extends PlatformConnector = PlatformConnector> {
  platform: RealPlatform;
  role: C['role'];
  /** Human label for the dashboard. */
  label: string;
  settings: z.ZodType;
  credentials: z.ZodType;
  /** Credential fields that seed the token store on first use (OAuth platforms). */
  initialTokens?(credentials: unknown): OAuthTokens | null;
  create(ctx: ConnectorContext): C;
}

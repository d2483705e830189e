/**
 * Handlers talk to platforms only through this interface. The sandbox implements it over Postgres tables; real
 * platforms (Bling, Mercado Livre, Nuvemshop) implement it over HTTP.
 */
export type Cursor = string;

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  next?: Cursor;
}

export interface ReadQuery {
  /** Only records changed after this instant (incremental sync). Absent for a full sync. */
  updatedSince?: Date;
  cursor?: Cursor;
  pageSize: number;
  signal: AbortSignal;
}

export interface WriteOptions {
  dryRun: boolean;
  signal: AbortSignal;
}

export interface ExtProduct {
  sku: string;
  productCode: string;
  name: string;
  price: string;
  updatedAt: Date;
}

export interface ExtStockLevel {
  sku: string;
  /** Units available to sell, summed over warehouses. */
  available: number;
  updatedAt: Date;
}

export interface ExtOrder {
  externalId: string;
  status: string;
  total: string;
  updatedAt: Date;
}

/** Outcome of one item in a batch write: a bad item never fails the whole job. */
export interface ItemResult {
  key: string;
  status: 'ok' | 'skipped' | 'failed';
  code?: string;
  message?: string;
}

export interface Connector {
  readonly platform: string;
  /** Total records a read will return, when the platform can tell cheaply. */
  countProducts(q: Omit<ReadQuery, 'cursor' | 'pageSize'>): Promise<number | null>;
  countStock(q: Omit<ReadQuery, 'cursor' | 'pageSize'>): Promise<number | null>;
  countOrders(q: Omit<ReadQuery, 'cursor' | 'pageSize'>): Promise<number | null>;
  listProducts(q: ReadQuery): Promise<Page<ExtProduct>>;
  listStock(q: ReadQuery): Promise<Page<ExtStockLevel>>;
  listOrders(q: ReadQuery): Promise<Page<ExtOrder>>;
  /** Creates or updates listings on the sales channel, by SKU. */
  upsertListings(items: ExtProduct[], opts: WriteOptions): Promise<ItemResult[]>;
  /** Sets absolute available quantities on the sales channel, by SKU. */
  setListingStock(levels: ExtStockLevel[], opts: WriteOptions): Promise<ItemResult[]>;
  /** Imports orders into the ERP; idempotent on the external order id. */
  importOrders(orders: ExtOrder[], opts: WriteOptions): Promise<ItemResult[]>;
}

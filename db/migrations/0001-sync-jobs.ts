import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE integrations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      platform text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      settings jsonb NOT NULL DEFAULT '{}',
      credentials jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE sync_jobs (
      id uuid PRIMARY KEY,
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      sync_type text NOT NULL,
      priority text NOT NULL,
      origin text NOT NULL,
      queue text NOT NULL,
      status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
      options jsonb NOT NULL DEFAULT '{}',
      idempotency_key text UNIQUE,
      dedup_key text,
      progress real NOT NULL DEFAULT 0,
      processed_items integer NOT NULL DEFAULT 0,
      total_items integer,
      failed_items integer NOT NULL DEFAULT 0,
      message text,
      result jsonb,
      error jsonb,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL CHECK (max_attempts >= 1),
      run_at timestamptz,
      cancel_requested_at timestamptz,
      worker_id text,
      heartbeat_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // At most one waiting job per (integration, type): the key is cleared when the job leaves QUEUED.
  await sql`CREATE UNIQUE INDEX sync_jobs_dedup_key ON sync_jobs (dedup_key) WHERE dedup_key IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX sync_jobs_created ON sync_jobs (created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX sync_jobs_integration ON sync_jobs (integration_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX sync_jobs_open ON sync_jobs (status, queue) WHERE status IN ('QUEUED', 'RUNNING')`.execute(
    db,
  );
  await sql`CREATE INDEX sync_jobs_finished ON sync_jobs (finished_at, queue) WHERE finished_at IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE sync_watermarks (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      resource text NOT NULL,
      watermark timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, resource)
    )`.execute(db);

  // The sandbox platform: a simulated ERP (products, stock, orders) and storefront (listings, imported orders).
  await sql`
    CREATE TABLE sandbox_products (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      sku text NOT NULL,
      product_code text NOT NULL,
      name text NOT NULL,
      price numeric(12, 2) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, sku)
    )`.execute(db);
  await sql`CREATE INDEX sandbox_products_updated ON sandbox_products (integration_id, updated_at, sku)`.execute(
    db,
  );
  await sql`
    CREATE TABLE sandbox_stock (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      sku text NOT NULL,
      warehouse text NOT NULL,
      quantity integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, sku, warehouse)
    )`.execute(db);
  await sql`CREATE INDEX sandbox_stock_updated ON sandbox_stock (integration_id, updated_at, sku)`.execute(
    db,
  );
  await sql`
    CREATE TABLE sandbox_orders (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      status text NOT NULL,
      total numeric(12, 2) NOT NULL,
      items jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, external_id)
    )`.execute(db);
  await sql`CREATE INDEX sandbox_orders_updated ON sandbox_orders (integration_id, updated_at, external_id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE sandbox_listings (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      sku text NOT NULL,
      name text,
      price numeric(12, 2),
      quantity integer,
      synced_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, sku)
    )`.execute(db);
  await sql`
    CREATE TABLE sandbox_imported_orders (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      status text NOT NULL,
      total numeric(12, 2) NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, external_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sandbox_imported_orders',
    'sandbox_listings',
    'sandbox_orders',
    'sandbox_stock',
    'sandbox_products',
    'sync_watermarks',
    'sync_jobs',
    'integrations',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The hub between real platforms: a canonical catalog and stock by SKU (fed by the ERP), orders imported from sales
// channels with the stock they reserve, links from each channel's listings to hub SKUs with what was last pushed,
// sealed OAuth tokens, the circuit breaker of each integration, and the ledger of every item a job touched.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Breaker state, on the integration so every reader sees it: paused_until null means "until reconnected".
  await sql`
    ALTER TABLE integrations
      ADD COLUMN paused_at timestamptz,
      ADD COLUMN pause_code text,
      ADD COLUMN pause_reason text,
      ADD COLUMN paused_until timestamptz`.execute(db);

  // The error budget behind the breaker: consecutive failures and errors in the current window.
  await sql`
    CREATE TABLE integration_health (
      integration_id uuid PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
      consecutive_failures integer NOT NULL DEFAULT 0,
      window_started_at timestamptz NOT NULL DEFAULT now(),
      window_errors integer NOT NULL DEFAULT 0,
      last_error_code text,
      last_error_message text,
      last_error_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // OAuth tokens, sealed; version is the compare-and-set guard of a refresh.
  await sql`
    CREATE TABLE integration_tokens (
      integration_id uuid PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
      sealed text NOT NULL,
      expires_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE hub_products (
      sku text PRIMARY KEY,
      name text NOT NULL,
      price numeric(12, 2) NOT NULL,
      source_integration_id uuid REFERENCES integrations (id) ON DELETE SET NULL,
      external_id text,
      parent_external_id text,
      source_updated_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE hub_stock (
      sku text NOT NULL,
      warehouse text NOT NULL,
      on_hand integer NOT NULL,
      source_integration_id uuid REFERENCES integrations (id) ON DELETE SET NULL,
      source_updated_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (sku, warehouse)
    )`.execute(db);

  await sql`
    CREATE TABLE hub_orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      pack_id text,
      status text NOT NULL CHECK (status IN ('PENDING', 'PAID', 'CANCELLED', 'SHIPPED')),
      total numeric(12, 2) NOT NULL,
      lines jsonb NOT NULL,
      placed_at timestamptz NOT NULL,
      source_updated_at timestamptz NOT NULL,
      erp_integration_id uuid REFERENCES integrations (id) ON DELETE SET NULL,
      erp_id text,
      exported_at timestamptz,
      imported_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (integration_id, external_id)
    )`.execute(db);
  await sql`CREATE INDEX hub_orders_unexported ON hub_orders (imported_at, id) WHERE erp_id IS NULL`.execute(
    db,
  );

  // One row per (order, SKU) while the order holds stock; the row's existence makes reserving idempotent.
  await sql`
    CREATE TABLE hub_reservations (
      order_id uuid NOT NULL REFERENCES hub_orders (id) ON DELETE CASCADE,
      sku text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (order_id, sku)
    )`.execute(db);
  await sql`CREATE INDEX hub_reservations_sku ON hub_reservations (sku)`.execute(db);

  // Where a hub SKU lives on a channel, and what was last pushed there (so unchanged values are skipped).
  await sql`
    CREATE TABLE hub_links (
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      sku text NOT NULL,
      product_id text NOT NULL,
      variant_id text,
      pushed_name text,
      pushed_price numeric(12, 2),
      catalog_pushed_at timestamptz,
      pushed_stock integer,
      stock_pushed_at timestamptz,
      linked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration_id, sku)
    )`.execute(db);

  await sql`
    CREATE TABLE item_ledger (
      id bigserial PRIMARY KEY,
      job_id uuid REFERENCES sync_jobs (id) ON DELETE CASCADE,
      integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
      resource text NOT NULL,
      item_key text NOT NULL,
      action text NOT NULL,
      before jsonb,
      after jsonb,
      outcome text NOT NULL CHECK (outcome IN ('ok', 'skipped', 'failed', 'dry_run')),
      error_code text,
      error_message text,
      at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX item_ledger_integration ON item_ledger (integration_id, id DESC)`.execute(db);
  await sql`CREATE INDEX item_ledger_key ON item_ledger (item_key, id DESC)`.execute(db);
  await sql`CREATE INDEX item_ledger_job ON item_ledger (job_id, id)`.execute(db);
  await sql`CREATE INDEX item_ledger_outcome ON item_ledger (outcome, id DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS item_ledger`.execute(db);
  await sql`DROP TABLE IF EXISTS hub_links`.execute(db);
  await sql`DROP TABLE IF EXISTS hub_reservations`.execute(db);
  await sql`DROP TABLE IF EXISTS hub_orders`.execute(db);
  await sql`DROP TABLE IF EXISTS hub_stock`.execute(db);
  await sql`DROP TABLE IF EXISTS hub_products`.execute(db);
  await sql`DROP TABLE IF EXISTS integration_tokens`.execute(db);
  await sql`DROP TABLE IF EXISTS integration_health`.execute(db);
  await sql`
    ALTER TABLE integrations
      DROP COLUMN IF EXISTS paused_at,
      DROP COLUMN IF EXISTS pause_code,
      DROP COLUMN IF EXISTS pause_reason,
      DROP COLUMN IF EXISTS paused_until`.execute(db);
}

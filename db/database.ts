import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparedName } from './prepared.ts';
import type { DB } from './types.ts';

// COUNT(*) and other int8 values arrive as strings by default; our counts fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database = Kysely<DB>;

/**
 * Runs the texts registered in db/prepared.ts as named statements on this connection (kysely sends text + values).
 * A migration that changes a table under a running process makes Postgres refuse a prepared `RETURNING *` ("cached
 * plan must not change result type"): the statement is then dropped and prepared again, once.
 */
function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  // pg's record of what this connection has prepared (pg 8); absent in another client, then nothing is forgotten.
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } })
    .connection?.parsedStatements;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length <= 2 && typeof text === 'string' ? preparedName(text) : undefined;
    if (!name) return query(...args);
    return query({ name, text, values }).catch(async (err: unknown) => {
      const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
      if (code !== '0A000' || !String(message).includes('cached plan must not change result type')) throw err;
      await query(`DEALLOCATE ${name}`);
      if (parsed) delete parsed[name];
      return query({ name, text, values });
    });
  }) as typeof client.query;
}

/** Opens a pooled kysely handle. The caller owns it and must `destroy()` it. */
export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  // So must a client that is checked out when the server goes away: it emits 'error' too, and unheard that event
  // crashes the process. Its query in flight still fails with the error, and the pool discards the client.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    namePreparedStatements(client);
  });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens an embedded PostgreSQL (PGlite: Postgres compiled to WebAssembly, in this process) persisted in
 * `dataDir`, or in memory when `dataDir` is undefined. `destroy()` closes it and flushes it to disk.
 *
 * It speaks the same SQL as the server (gen_random_uuid, jsonb, partial indexes, plpgsql triggers, unnest of
 * arrays) and returns the same JS types as `createDatabase`: int8 as a number when it fits (PGlite's default, like
 * our pg parser above), numeric as a string, jsonb parsed, timestamptz as Date. Differences to keep in mind:
 * - There is one connection. The dialect hands it to one caller at a time, so every process-wide caller (API,
 *   worker) shares it in turn, and a query on the outer handle inside `db.transaction()` waits forever: inside a
 *   transaction, always use `trx` (the code base already does).
 * - One process only: PGlite does not lock its folder, so the caller must (see server/embedded/data-dir.ts).
 * PGlite and its dialect are loaded on demand, so processes that use a server never load the WebAssembly.
 */
export async function createEmbeddedDatabase(dataDir: string | undefined): Promise<Database> {
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  if (dataDir !== undefined && !existsSync(dataDir)) {
    // A new cluster is created beside it and moved into place once complete, so a start interrupted during
    // initdb (Ctrl-C, a crash) never leaves a half-made folder behind.
    mkdirSync(dirname(dataDir), { recursive: true });
    const staging = `${dataDir}.creating`;
    rmSync(staging, { recursive: true, force: true });
    const fresh = await PGlite.create(staging);
    await fresh.close();
    renameSync(staging, dataDir);
  }
  const pglite = await PGlite.create(dataDir);
  return new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
}

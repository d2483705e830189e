/**
 * Statements that run for every job are named prepared statements: each pooled connection has Postgres parse and
 * plan them once, then only binds and executes them. Unnamed, a page read of an empty store cost about 0.6 ms of
 * Postgres CPU, most of it planning. Only the statements registered here are named: a small, fixed set, so a
 * connection never holds more than MAX_PREPARED of them, and everything else runs unnamed as before.
 *
 * The names are applied by the pool of `createDatabase` (db/database.ts); PGlite runs them unnamed.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { DB } from './types.ts';

const MAX_PREPARED = 64;
const names = new Map<string, string>();

/** Registers `text` to run as a named prepared statement; returns it unchanged. */
export function prepared(text: string): string {
  if (!names.has(text) && names.size < MAX_PREPARED) names.set(text, `sync_orchestrator_${names.size + 1}`);
  return text;
}

/** The statement name of a registered text. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}

/** Compiles a builder query, registers its text, and runs it: for queries whose text has a few fixed shapes. */
export async function executePrepared<O>(db: Kysely<DB>, query: Compilable<O>): Promise<O[]> {
  const compiled: CompiledQuery<O> = query.compile();
  prepared(compiled.sql);
  return (await db.executeQuery(compiled)).rows;
}

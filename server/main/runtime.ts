/** What every entrypoint shares: config with all problems printed at once, a logger, a migrated database, shutdown. */
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, createEmbeddedDatabase, type Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createConsoleLogger } from './console-log.ts';

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** Creates the database named in the URL when it does not exist yet (first start on a fresh server). */
async function ensureDatabaseExists(url: string, log: Logger): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    log.info({ database: name }, 'created database');
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // another process created it first
  } finally {
    await admin.end();
  }
}

export interface OpenedDatabase {
  db: Database;
  /** Where the record lives, for the banner. */
  description: string;
  /** Migrations this start applied (all of them on an empty database). */
  applied: string[];
}

/**
 * Opens and migrates the record. DATABASE_URL set: that server (the database is created if missing). Not set:
 * with `embedded` (only the all-in-one, which holds the data folder's lock) an embedded PostgreSQL under
 * `<DATA_DIR>/pglite`; otherwise the local default server, DEFAULT_DATABASE_URL.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  options: { embedded?: boolean } = {},
): Promise<OpenedDatabase> {
  let db: Database;
  let description: string;
  if (config.database.url === null && options.embedded) {
    const folder = join(config.dataDir, 'pglite');
    db = await createEmbeddedDatabase(folder);
    description = `embedded PostgreSQL (PGlite) in ${folder}`;
  } else {
    const url = config.database.url ?? DEFAULT_DATABASE_URL;
    if (config.database.url === null) log.info(`DATABASE_URL is not set; using ${DEFAULT_DATABASE_URL}`);
    await ensureDatabaseExists(url, log);
    db = createDatabase(url);
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    description = `PostgreSQL at ${shown.toString()}`;
  }
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    return { db, description, applied };
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
}

/** The single roles' database: a Postgres server (DATABASE_URL, or the local default). */
export async function openMigratedDatabase(config: Config, log: Logger): Promise<Database> {
  return (await openDatabase(config, log)).db;
}

/**
 * JSON lines on stdout; in development on a terminal (`npm run dev:*`), pretty lines prefixed with the role, as in
 * the all-in-one.
 */
export function rootLogger(config: Config, name: string, level = config.log.level): Logger {
  if (config.env === 'development' && process.stdout.isTTY) {
    return createConsoleLogger({ level }).child({ role: name });
  }
  return createLogger({ name, level });
}

export type Step = () => Promise<void>;

export interface Shutdown {
  /** Adds a step; steps run in reverse order of adding (what started last stops first). */
  add(step: Step): void;
  /** Runs the steps once (later calls get the same promise), then exits with `code`. */
  run(code: number, reason: string): Promise<void>;
}

/**
 * Stops in reverse order of start on SIGINT/SIGTERM, or when `run` is called (e.g. a failed start). A second
 * signal more than a second after the first exits at once: the first Ctrl-C in a terminal often arrives twice
 * (once from the terminal, once forwarded by npm), which must not cut the clean stop short.
 */
export function createShutdown(log: Logger): Shutdown {
  const steps: Step[] = [];
  let running: Promise<void> | undefined;
  let firstSignalAt = 0;
  const shutdown: Shutdown = {
    add(step) {
      steps.push(step);
    },
    run(code, reason) {
      running ??= (async () => {
        log.info({ reason }, 'shutting down');
        for (const step of [...steps].reverse()) {
          try {
            await step();
          } catch (err) {
            log.error({ err }, 'shutdown step failed');
          }
        }
        log.info('stopped');
        process.exit(code);
      })();
      return running;
    },
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      if (Date.now() - firstSignalAt > 1000) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      return;
    }
    firstSignalAt = Date.now();
    void shutdown.run(0, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return shutdown;
}

/** Runs the steps in order on SIGINT/SIGTERM; a second signal (after a second) exits at once. */
export function onShutdown(log: Logger, steps: Step[]): void {
  const shutdown = createShutdown(log);
  for (const step of [...steps].reverse()) shutdown.add(step);
}

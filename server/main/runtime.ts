/** What every entrypoint shares: config with all problems printed at once, a logger, a migrated database, shutdown. */
import pg from 'pg';
import { createDatabase, type Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';

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

export async function openMigratedDatabase(config: Config, log: Logger): Promise<Database> {
  await ensureDatabaseExists(config.database.url, log);
  const db = createDatabase(config.database.url);
  const applied = await migrateToLatest(db);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  return db;
}

export function rootLogger(config: Config, name: string, level = config.log.level): Logger {
  return createLogger({ name, level });
}

/** Runs the steps in order on SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdown(log: Logger, steps: (() => Promise<void>)[]): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    void (async () => {
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          log.error({ err }, 'shutdown step failed');
        }
      }
      process.exit(0);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

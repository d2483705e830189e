/**
 * Private Redis and Postgres servers for outage tests: each on its own free port in a temporary directory, so a
 * test may stop, kill and restart them while the machine's shared servers (which every other test file uses) stay
 * up. Readiness is always polled against a deadline.
 *
 * Postgres refuses to run as root, so its binaries run as the `postgres` OS user (via `runuser`) when the tests run
 * as root; its directory then belongs to that user.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';

const run = promisify(execFile);
const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it resolves true, or throws after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not ready after ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Anything still running when the test process exits (a crash, a failed hook) is stopped here, synchronously.
const exitHooks = new Set<() => void>();
process.once('exit', () => {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort at exit
    }
  }
});

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Whether the server is running. */
  readonly running: boolean;
  start(): Promise<void>;
  /** Kills the server (SIGKILL: an abrupt outage); its data is gone, as after a failover to an empty replica. */
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** A `redis-server` on a free port with no persistence. Call `start()`. */
export async function createPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sync-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  const kill = () => child?.kill('SIGKILL');
  exitHooks.add(kill);

  async function ping(): Promise<boolean> {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  }

  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child) return;
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      );
      child = proc;
      exited = new Promise((resolve) => proc.once('exit', () => resolve()));
      await until(`redis on ${port}`, ping, 10_000);
    },
    async stop() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited;
      child = undefined;
    },
    async destroy() {
      await redis.stop();
      exitHooks.delete(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

export interface PrivatePostgres {
  readonly port: number;
  /** URL of the database the project uses (created and migrated by `start()`). */
  readonly url: string;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: every session ends with "terminating connection due to administrator command". */
  stop(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/**
 * A Postgres 15 cluster in a temporary directory on a free port (trust auth, fsync off), with database
 * `sync_orchestrator` migrated by the project's migrator. Call `start()`.
 */
export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sync-pg-'));
  const data = join(dir, 'data');
  const owner = postgresUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const asOwner = (bin: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args])
      : run(join(PG_BIN, bin), args);
  const options = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const url = `postgres://postgres@127.0.0.1:${port}/sync_orchestrator`;
  let initialised = false;
  let running = false;
  const stopNow = () => {
    if (!running) return;
    const args = ['stop', '-D', data, '-m', 'immediate'];
    if (owner) execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]);
    else execFileSync(join(PG_BIN, 'pg_ctl'), args);
  };
  exitHooks.add(stopNow);

  async function ready(): Promise<boolean> {
    await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-t', '1']);
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const server: PrivatePostgres = {
    port,
    url,
    async start() {
      if (running) return;
      if (!initialised) {
        await asOwner('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      }
      // -W: do not wait inside pg_ctl; readiness is polled below with our own deadline.
      await asOwner('pg_ctl', ['start', '-W', '-D', data, '-l', join(dir, 'postgres.log'), '-o', options]);
      running = true;
      await until(`postgres on ${port}`, ready, 30_000);
      if (!initialised) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query('CREATE DATABASE sync_orchestrator');
        await admin.end();
        const db = createDatabase(url, { max: 2 });
        try {
          await migrateToLatest(db);
        } finally {
          await db.destroy();
        }
        initialised = true;
      }
    },
    async stop() {
      if (!running) return;
      await asOwner('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-t', '30']);
      running = false;
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    async destroy() {
      try {
        if (running) await asOwner('pg_ctl', ['stop', '-D', data, '-m', 'immediate']);
      } finally {
        running = false;
        exitHooks.delete(stopNow);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return server;
}

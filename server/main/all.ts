/**
 * Every role in one process, for a newcomer: `npm start`. On embedded defaults it needs nothing but Node:
 * - DATABASE_URL unset: an embedded PostgreSQL (PGlite) in `<DATA_DIR>/pglite`, one kysely handle shared by every
 *   role of this process; set: that server.
 * - REDIS_URL unset: a private `redis-server` child (data in `<DATA_DIR>/redis`), or a Redis already on the default
 *   port when redis-server is not installed; set: that Redis.
 * - An empty database gets a demo sandbox integration and a few jobs (DEMO_SEED=false turns it off).
 * - Local Bling, Mercado Livre and Nuvemshop emulators run on EMULATORS_BASE_PORT (8101–8103) with a demo catalog,
 *   and the demo seed connects one integration to each (EMULATORS=false turns them off).
 * Log lines are pretty and prefixed with their role. Ctrl-C stops the roles, the database and Redis, in that
 * order, and leaves no child process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import type { Database } from '../../db/database.ts';
import type { SchemaContext } from '../../schema/context.ts';
import type { Config } from '../config.ts';
import { applyAuthStartupOrExit } from '../auth/startup-guard.ts';
import { lockDataDir } from '../embedded/data-dir.ts';
import { startDemoEmulators, type DemoPlatform } from '../embedded/demo-emulators.ts';
import { seedDemoIfEmpty } from '../embedded/demo-seed.ts';
import { provideRedis } from '../embedded/redis-server.ts';
import { StartupError } from '../embedded/startup-error.ts';
import type { Logger } from '../logger.ts';
import { startSchedulerRole } from '../scheduler/role.ts';
import { createConsoleLogger } from './console-log.ts';
import { startApiRole, startMonitorRole, startWorkerRole, type Stop } from './roles.ts';
import { createShutdown, loadConfigOrExit, openDatabase } from './runtime.ts';

interface RoleContext {
  config: Config;
  db: Database;
  log: Logger;
}

interface StartedRole {
  stop: Stop;
  /** Lines for the banner. */
  links?: { label: string; url: string }[];
  /** The service layer, when the role has one (the demo seed uses it). */
  services?: SchemaContext;
  /** The platform emulators the role runs (the demo seed connects integrations to them). */
  emulated?: DemoPlatform[];
}

interface AllInOneRole {
  /** Log prefix, and the `role` binding of its logger. */
  name: string;
  /** Whether the configuration runs this role; absent: always. */
  enabled?(config: Config): boolean;
  start(ctx: RoleContext): Promise<StartedRole>;
}

/** Shown with `localhost`, which is what people type; the server binds HOST (127.0.0.1 by default). */
function displayUrl(url: string): string {
  return url.replace(/^http:\/\/(127\.0\.0\.1|0\.0\.0\.0|\[::\])(?=[:/]|$)/, 'http://localhost');
}

/**
 * The roles, started in this order and stopped in reverse. The dashboard is served by the API (/dashboard/); a role
 * that joins later takes the same shape, e.g. `{ name: 'scheduler', start: ({ config, db, log }) => startSchedulerRole(config, db, log) }`.
 */
/**
 * The seed served the dashboard on port 3000; the API serves it now. The all-in-one keeps that URL working with a
 * tiny redirector (a port already in use is reported, not fatal).
 */
async function startDashboardRedirect(
  config: Config,
  apiUrl: string,
  log: Logger,
): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    res.writeHead(302, { location: `${apiUrl}${path.startsWith('/dashboard') ? path : '/dashboard/sync'}` });
    res.end();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.dashboardPort, config.http.host, () => resolve());
    });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    log.warn(
      `port ${config.http.dashboardPort} is in use: the dashboard is only at ${apiUrl}/dashboard/sync`,
    );
    return undefined;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.http.host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ROLES: AllInOneRole[] = [
  {
    // First, so the platforms are there before any worker takes a job for them.
    name: 'emulators',
    enabled: (config) => config.emulators.enabled,
    async start({ config, log }) {
      const emulators = await startDemoEmulators({ basePort: config.emulators.basePort, log });
      return {
        stop: emulators.stop,
        emulated: emulators.platforms,
        links: emulators.platforms.map((p) => ({
          label: p.short,
          url: `${displayUrl(p.url)} (${p.label} emulator)`,
        })),
      };
    },
  },
  {
    name: 'worker',
    start: ({ config, db, log }) => startWorkerRole(config, db, log),
  },
  {
    name: 'scheduler',
    start: ({ config, db, log }) => startSchedulerRole(config, db, log),
  },
  {
    name: 'api',
    async start({ config, db, log }) {
      const api = await startApiRole(config, db, log);
      const url = displayUrl(api.url);
      const dashboardPort = await startDashboardRedirect(config, api.url, log);
      return {
        stop: async () => {
          await dashboardPort?.stop();
          await api.stop();
        },
        services: api.services,
        links: [
          { label: 'Dashboard', url: `${url}/dashboard/sync` },
          ...(dashboardPort
            ? [{ label: 'Seed URL', url: `${displayUrl(dashboardPort.url)}/dashboard/sync` }]
            : []),
          { label: 'GraphiQL', url: `${url}/graphql` },
          { label: 'REST', url: `${url}/api/sync/jobs` },
          { label: 'Ready', url: `${url}/readyz` },
          { label: 'Metrics', url: `${url}/metrics` },
        ],
      };
    },
  },
  {
    name: 'monitor',
    async start({ config, db, log }) {
      try {
        const monitor = await startMonitorRole(config, db, log);
        return { stop: monitor.stop, links: [{ label: 'Monitor', url: displayUrl(monitor.pageUrl) }] };
      } catch (err) {
        // Everything else works without it: a newcomer with something on 5555 still gets a running system.
        if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
        log.warn(
          `port ${config.monitor.port} is in use: the monitor is not started (choose another with FLOWER_PORT)`,
        );
        return { stop: async () => undefined };
      }
    },
  },
];

async function main(): Promise<void> {
  const started = Date.now();
  // Open (no API keys) only on a loopback HOST; anywhere else keys are required or the start is refused.
  const baseConfig = applyAuthStartupOrExit(loadConfigOrExit(), 'all-in-one');
  const log = createConsoleLogger({ level: baseConfig.log.level });
  const shutdown = createShutdown(log);
  try {
    const embedded = baseConfig.database.url === null || !baseConfig.redis.urlSet;
    if (embedded) {
      const lock = lockDataDir(baseConfig.dataDir);
      shutdown.add(async () => lock.release());
    }

    const redis = await provideRedis({
      configuredUrl: baseConfig.redis.url,
      urlSet: baseConfig.redis.urlSet,
      dataDir: baseConfig.dataDir,
      log: log.child({ role: 'redis' }),
    });
    shutdown.add(() => redis.stop());
    const config: Config = Object.freeze({
      ...baseConfig,
      redis: Object.freeze({ ...baseConfig.redis, url: redis.url }),
    });

    const database = await openDatabase(config, log.child({ role: 'db' }), { embedded: true });
    shutdown.add(() => database.db.destroy());

    const results: StartedRole[] = [];
    const roles = ROLES.filter((role) => role.enabled?.(config) ?? true);
    for (const role of roles) {
      const level = role.name === 'worker' ? config.log.workerLevel : config.log.level;
      const result = await role.start({
        config,
        db: database.db,
        log: log.child({ role: role.name }, { level }),
      });
      shutdown.add(result.stop);
      results.push(result);
    }

    const links = results.flatMap((r) => r.links ?? []);
    const inProject = relative(process.cwd(), config.dataDir);
    const shownDataDir = !inProject || inProject.startsWith('..') ? config.dataDir : inProject;
    console.log(
      [
        '',
        `Sync Orchestrator is running (${roles.map((r) => r.name).join(' + ')}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...links.map((l) => `  ${l.label.padEnd(9)} ${l.url}`),
        config.auth.mode === 'off'
          ? `  Access    open, no API keys (API_AUTH=off), reachable from this machine only (${config.http.host})`
          : '  Access    API keys required (Authorization: Bearer <key>; npm run apikey -- create --role admin --name <you>)',
        `  Postgres  ${database.description}`,
        `  Redis     ${redis.description}`,
        ...(embedded ? [`  Data      ${shownDataDir} (delete it to start over)`] : []),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );

    const services = results.find((r) => r.services)?.services;
    if (config.demo.seed && services) {
      const emulated = results.flatMap((r) => r.emulated ?? []);
      await seedDemoIfEmpty(services, log.child({ role: 'main' }), emulated).catch((err: unknown) =>
        log.warn({ err }, 'could not seed the demo'),
      );
    }
  } catch (err) {
    if (err instanceof StartupError) console.error(`\nCould not start.\n${err.message}\n`);
    else if ((err as { code?: string }).code === 'EADDRINUSE')
      console.error(
        `\nCould not start: port ${baseConfig.http.port} is in use. Stop what uses it, or choose another ` +
          `port, e.g. PORT=8001 npm start.\n`,
      );
    else log.error({ err }, 'could not start');
    await shutdown.run(1, 'start failed');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

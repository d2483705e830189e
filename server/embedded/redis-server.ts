/**
 * Redis for the all-in-one when REDIS_URL is not set: a private `redis-server` child on a free local port, its data
 * in `<DATA_DIR>/redis`, stopped with the process. Without `redis-server` installed, a Redis already answering on
 * the default port (e.g. `docker compose up -d redis`) is used; otherwise startup stops with the ways out.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DEFAULT_REDIS_URL } from '../config.ts';
import type { Logger } from '../logger.ts';
import { isAlive } from './data-dir.ts';
import { StartupError } from './startup-error.ts';

export interface ProvidedRedis {
  url: string;
  /** What the banner says about it. */
  description: string;
  /** The private server's pid, when one was started. */
  pid?: number;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends StartupError {
  constructor(fallbackUrl = DEFAULT_REDIS_URL) {
    super(
      [
        'Redis is needed and none was found: REDIS_URL is not set, `redis-server` is not installed, and nothing',
        `answers on ${fallbackUrl}. Any one of these fixes it:`,
        '  1. install redis-server (apt-get install redis-server, brew install redis): `npm start` then runs a',
        '     private one with its data in the data folder;',
        '  2. docker compose up -d redis   (a Redis on the default port, which `npm start` then uses);',
        '  3. set REDIS_URL to a Redis you have, e.g. REDIS_URL=redis://127.0.0.1:6379/0 npm start.',
      ].join('\n'),
    );
    this.name = 'RedisUnavailableError';
  }
}

/** Whether `command` runs (looked up on PATH by the OS, like any spawn). */
export function canRun(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore', timeout: 5000 });
  return !result.error && result.status === 0;
}

async function answersPing(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function freePort(): Promise<number> {
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

/** Stops a private redis-server left by an earlier run that was killed before it could stop it. */
async function stopLeftover(pidFile: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  let isRedis = false;
  try {
    isRedis = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    // no /proc (macOS) or no such process: leave it alone
  }
  if (Number.isInteger(pid) && pid > 0 && isRedis && isAlive(pid)) {
    log.warn({ pid }, 'stopping a private redis-server left by an earlier run');
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(pidFile, { force: true });
}

function launch(
  binary: string,
  port: number,
  dir: string,
  log: Logger,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--dbfilename',
    'dump.rdb',
    // Postgres is the record; the snapshot only spares the reconciler work after a restart.
    '--save',
    '60 1',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--loglevel',
    'notice',
  ];
  // On Linux, setpriv makes the kernel send SIGTERM to redis-server if this process dies without stopping it
  // (kill -9, a crash). setpriv execs redis-server, so the pid stays the same.
  const [command, argv] =
    process.platform === 'linux' && canRun('setpriv')
      ? ['setpriv', ['--pdeathsig', 'SIGTERM', binary, ...args]]
      : [binary, args];
  // Its own process group: Ctrl-C in a terminal reaches only us, and we stop Redis after the roles that use it.
  const child = spawn(command, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not become ready in 15 s:\n${output}`));
    }, 15_000);
    const onLine = (line: string) => {
      if (!line.trim()) return;
      if (output.length < 20_000) output += `${line}\n`;
      // "20011:M 29 Nov 2026 16:22:39.452 # text": keep the text. Kernel tuning advice is noise for a private server.
      const text = line.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [*#.-] /, '');
      if (
        /error|fail|fatal|can't|cannot|denied/i.test(text) &&
        !/overcommit|huge pages|somaxconn/i.test(text)
      )
        log.warn(text);
      else log.debug(text);
      if (text.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    };
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(
          `redis-server exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output}`,
        ),
      );
    });
  });
}

/** Starts a private redis-server with its data in `dir`. */
export async function startPrivateRedis(options: {
  binary: string;
  dir: string;
  log: Logger;
}): Promise<ProvidedRedis> {
  const { binary, dir, log } = options;
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis-server.pid');
  await stopLeftover(pidFile, log);
  let lastError: unknown;
  // The port is free when chosen; another process could take it before redis-server binds, so retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let started: Awaited<ReturnType<typeof launch>>;
    try {
      started = await launch(binary, port, dir, log);
    } catch (err) {
      lastError = err;
      continue;
    }
    const { child, exited } = started;
    const pid = child.pid!;
    writeFileSync(pidFile, String(pid));
    // Whatever way this process ends, the private server does not outlive it.
    const killOnExit = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('exit', killOnExit);
    let stopping: Promise<void> | undefined;
    void exited.then(() => {
      if (!stopping)
        log.error(
          `private redis-server exited unexpectedly (${child.exitCode ?? child.signalCode}); restart npm start`,
        );
    });
    return {
      url: `redis://127.0.0.1:${port}/0`,
      description: `private redis-server on 127.0.0.1:${port} (data in ${dir})`,
      pid,
      stop() {
        stopping ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM'); // Redis saves its snapshot and exits
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          process.removeListener('exit', killOnExit);
          rmSync(pidFile, { force: true });
        })();
        return stopping;
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * The Redis the all-in-one uses: REDIS_URL when set, else a private redis-server, else one already on the
 * default port, else a RedisUnavailableError naming the ways out.
 */
export async function provideRedis(options: {
  configuredUrl: string;
  urlSet: boolean;
  dataDir: string;
  log: Logger;
  /** The server binary to run (tests pass a missing one). */
  redisServer?: string;
  /** Where to look for a running Redis when the binary is missing (tests pass a closed port). */
  fallbackUrl?: string;
}): Promise<ProvidedRedis> {
  const { configuredUrl, urlSet, dataDir, log } = options;
  const redisServer = options.redisServer ?? 'redis-server';
  const fallbackUrl = options.fallbackUrl ?? DEFAULT_REDIS_URL;
  if (urlSet) {
    return { url: configuredUrl, description: 'Redis at REDIS_URL', stop: async () => undefined };
  }
  if (canRun(redisServer))
    return startPrivateRedis({ binary: redisServer, dir: join(dataDir, 'redis'), log });
  if (await answersPing(fallbackUrl)) {
    log.info(`redis-server is not installed; using the Redis that answers on ${fallbackUrl}`);
    return { url: fallbackUrl, description: `Redis on ${fallbackUrl}`, stop: async () => undefined };
  }
  throw new RedisUnavailableError(fallbackUrl);
}

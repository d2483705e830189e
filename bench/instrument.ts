/**
 * Preloaded (`--import`) into the API and worker children when the bench profiles them. It counts, without changing
 * behaviour, every SQL statement sent through `pg` (by normalised text), every Redis command sent through ioredis
 * (the app's own connections) and node_redis (Bee-Queue's connections), and the pipelines/batches they were sent in;
 * at exit it writes the counts as JSON to BENCH_COUNTS_FILE.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const file = process.env.BENCH_COUNTS_FILE;

const sql = new Map<string, number>();
const redisCommands = new Map<string, number>();
const counters = {
  sqlStatements: 0,
  ioredisCommands: 0,
  ioredisPipelines: 0,
  nodeRedisCommands: 0,
  nodeRedisBatches: 0,
};

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** One key per statement shape: whitespace collapsed, parameter lists folded, first 160 characters. */
function normalise(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\(\$\d+(, \$\d+)*\)(, \(\$\d+(, \$\d+)*\))*/g, '(…)')
    .replace(/\$\d+(, \$\d+)+/g, '$…')
    .trim()
    .slice(0, 160);
}

function evalName(args: unknown[]): string {
  // EVALSHA <sha> … : name Bee-Queue's scripts by their key count and first key's suffix.
  const keys = Number(args[1]);
  const firstKey = typeof args[2] === 'string' ? args[2].split(':').slice(-1)[0] : '?';
  return `(${keys} keys, ${firstKey})`;
}

type AnyFn = (...args: any[]) => any;

const pg = require('pg') as { Client: { prototype: { query: AnyFn } } };
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: unknown, ...args: any[]) {
  const config = args[0] as string | { text?: string } | undefined;
  const text = typeof config === 'string' ? config : config?.text;
  if (text) {
    counters.sqlStatements++;
    bump(sql, normalise(text));
  }
  return originalQuery.apply(this, args);
} as AnyFn;

const ioredis = require('ioredis') as {
  Redis: { prototype: { sendCommand: AnyFn } };
  Pipeline?: { prototype: { exec: AnyFn } };
};
const originalSend = ioredis.Redis.prototype.sendCommand;
ioredis.Redis.prototype.sendCommand = function (this: unknown, ...args: any[]) {
  const command = args[0] as { name?: string } | undefined;
  if (command?.name) {
    counters.ioredisCommands++;
    bump(redisCommands, `ioredis ${command.name.toUpperCase()}`);
  }
  return originalSend.apply(this, args);
} as AnyFn;
const pipelineProto = (require('ioredis/built/Pipeline.js') as { default: { prototype: { exec: AnyFn } } })
  .default.prototype;
const originalExec = pipelineProto.exec;
pipelineProto.exec = function (this: unknown, ...args: any[]) {
  counters.ioredisPipelines++;
  return originalExec.apply(this, args);
} as AnyFn;

try {
  const redis = require(
    require.resolve('redis', { paths: [join(process.cwd(), 'node_modules/bee-queue')] }),
  ) as {
    RedisClient: { prototype: { internal_send_command: AnyFn } };
    Multi: { prototype: { exec_batch: AnyFn } };
  };
  const originalInternal = redis.RedisClient.prototype.internal_send_command;
  redis.RedisClient.prototype.internal_send_command = function (this: unknown, ...args: any[]) {
    const command = args[0] as { command?: string; args?: unknown[] } | undefined;
    if (command?.command) {
      counters.nodeRedisCommands++;
      const name = command.command.toUpperCase();
      bump(
        redisCommands,
        `bee-queue ${name}${name === 'EVALSHA' || name === 'EVAL' ? ` ${evalName(command.args ?? [])}` : ''}`,
      );
    }
    return originalInternal.apply(this, args);
  } as AnyFn;
  const originalBatch = redis.Multi.prototype.exec_batch;
  const countBatch = function (this: unknown, ...args: any[]) {
    counters.nodeRedisBatches++;
    return originalBatch.apply(this, args);
  } as AnyFn;
  redis.Multi.prototype.exec_batch = countBatch;
  (redis.Multi.prototype as Record<string, unknown>).exec = countBatch;
  (redis.Multi.prototype as Record<string, unknown>).EXEC = countBatch;
} catch {
  // bee-queue's redis client is not installed where expected: its commands are not counted.
}

const sorted = (map: Map<string, number>) =>
  Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1]));

process.on('exit', () => {
  if (!file) return;
  writeFileSync(
    file,
    JSON.stringify({ pid: process.pid, counters, sql: sorted(sql), redis: sorted(redisCommands) }, null, 2),
  );
});

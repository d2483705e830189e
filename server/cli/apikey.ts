/**
 * API keys from the command line, for the first admin key and for scripts:
 *
 *   npm run apikey -- create --role operator --name ci [--expires-in 30d]   prints the key once
 *   npm run apikey -- list [--all]                                           keys without secrets (--all: revoked too)
 *   npm run apikey -- revoke <id>                                            stops the key at once
 *
 * It uses DATABASE_URL (server/config.ts) and migrates the database first, like every other entrypoint. A revocation
 * is announced on Redis so running API processes close the key's open connections.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { createApiKeyService } from '../auth/api-key-service.ts';
import { revokedKeysChannel } from '../auth/revocation.ts';
import { AppError } from '../errors.ts';
import { loadConfigOrExit, openMigratedDatabase, rootLogger } from '../main/runtime.ts';

const USAGE = `Usage:
  npm run apikey -- create --role viewer|operator|admin --name <name> [--expires-in 30d]
  npm run apikey -- list [--all]
  npm run apikey -- revoke <id>`;

async function announceRevocation(config: Config, keyId: string): Promise<void> {
  const redis = new Redis(config.redis.url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.publish(revokedKeysChannel(config.redis.prefix), keyId);
  } catch (err) {
    console.error(
      `warning: could not tell running API processes (${(err as Error).message}); the key is refused from now on, ` +
        'but connections it already opened stay until they next subscribe',
    );
  } finally {
    redis.disconnect();
  }
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      'expires-in': { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || !['create', 'list', 'revoke'].includes(command))
    fail('Say what to do: create, list or revoke.');
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'apikey', 'warn');
  const db = await openMigratedDatabase(config, log);
  const keys = createApiKeyService({ db, announceRevocation: (id) => announceRevocation(config, id) });
  try {
    if (command === 'create') {
      const created = await keys.create({
        name: values.name,
        role: values.role,
        ...(values['expires-in'] ? { expiresIn: values['expires-in'] } : {}),
        createdBy: 'cli',
      });
      const { key } = created;
      console.log(
        `Created API key "${key.name}" (${key.role}), id ${key.id}, ` +
          `${key.expiresAt ? `expires ${key.expiresAt.toISOString()}` : 'no expiry'}.`,
      );
      console.log('The key is shown this once; only a hash of it is stored:');
      console.log(created.secret);
    } else if (command === 'list') {
      const list = await keys.list({ includeRevoked: values.all });
      if (list.length === 0) console.log('No API keys.');
      for (const k of list) {
        const state = k.revokedAt
          ? `revoked ${k.revokedAt.toISOString()}`
          : k.expiresAt && k.expiresAt.getTime() <= Date.now()
            ? `expired ${k.expiresAt.toISOString()}`
            : k.expiresAt
              ? `expires ${k.expiresAt.toISOString()}`
              : 'no expiry';
        console.log(`${k.id}  ${k.prefix}  ${k.role.padEnd(8)}  ${k.name}  (${state})`);
      }
    } else {
      const id = rest[0];
      if (!id) fail('Give the id of the key to revoke (see `npm run apikey -- list`).');
      const key = await keys.revoke(id);
      console.log(`Revoked API key "${key.name}" (${key.role}), id ${key.id}.`);
    }
  } catch (err) {
    if (err instanceof AppError) {
      console.error(`${err.code}: ${err.message}`);
      process.exitCode = 1;
    } else throw err;
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

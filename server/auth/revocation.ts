/**
 * Revocation reaches every API process: the revoking process publishes the key id on Redis, and each process
 * closes the graphql-ws sockets and SSE streams it holds for that key and tells its listeners (the key cache).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { closeRedisClient } from '../redis-client.ts';

/** `<prefix>:auth:revoked`, message: the key id. */
export const revokedKeysChannel = (prefix: string) => `${prefix}:auth:revoked`;

export interface RevocationHub {
  /** Remembers how to close one open connection of a key; call the returned function when it closes by itself. */
  register(keyId: string, close: () => void): () => void;
  /** Publishes the revocation (and closes this process's connections of the key at once). */
  announce(keyId: string): Promise<void>;
  /** Open connections per key (for tests and logs). */
  openConnections(keyId: string): number;
  /** Calls `listener` with the id of every key revoked here or in another process; returns an unsubscribe. */
  onRevoked(listener: (keyId: string) => void): () => void;
  close(): Promise<void>;
}

export function createRevocationHub(options: {
  prefix: string;
  publisher: Redis;
  /** A connection of its own: a subscribed ioredis client can do nothing else. */
  subscriber: Redis;
  log: Logger;
}): RevocationHub {
  const { prefix, publisher, subscriber, log } = options;
  const channel = revokedKeysChannel(prefix);
  const open = new Map<string, Set<() => void>>();
  const listeners = new Set<(keyId: string) => void>();

  function revoked(keyId: string): void {
    for (const listener of listeners) listener(keyId);
    closeAll(keyId);
  }

  function closeAll(keyId: string): void {
    const closers = open.get(keyId);
    if (!closers) return;
    open.delete(keyId);
    log.info({ keyId, connections: closers.size }, 'closing the connections of a revoked API key');
    for (const close of closers) {
      try {
        close();
      } catch (err) {
        log.warn({ err }, 'could not close a connection of a revoked key');
      }
    }
  }

  subscriber.on('message', (ch: string, message: string) => {
    if (ch === channel) revoked(message);
  });
  subscriber
    .subscribe(channel)
    .catch((err: unknown) => log.warn({ err }, 'could not subscribe to revocations'));

  return {
    register(keyId, close) {
      let set = open.get(keyId);
      if (!set) open.set(keyId, (set = new Set()));
      set.add(close);
      return () => {
        const current = open.get(keyId);
        current?.delete(close);
        if (current?.size === 0) open.delete(keyId);
      };
    },
    async announce(keyId) {
      revoked(keyId);
      await publisher.publish(channel, keyId);
    },
    openConnections: (keyId) => open.get(keyId)?.size ?? 0,
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      open.clear();
      listeners.clear();
      await closeRedisClient(subscriber);
    },
  };
}

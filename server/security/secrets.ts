/**
 * Secrets at rest: AES-256-GCM sealing under a keyring (the current key seals, previous keys still open), so a key
 * can be rotated without rewriting every row at once. A sealed value is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id is derived from the key itself, so the same
 * key always has the same id in every process.
 *
 * `keyringFromConfig` builds the keyring a process uses: SECRETS_KEY (+ SECRETS_PREVIOUS_KEYS); without a key,
 * production refuses to start and development/test use a key generated once and kept under DATA_DIR.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBox } from './secret-box.ts';

export type { SecretBox } from './secret-box.ts';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The file under DATA_DIR holding the generated development key. */
export const GENERATED_KEY_FILE = 'secrets.key';

export interface SecretKey {
  /** Short stable id derived from the key (never reveals it). */
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  readonly current: SecretKey;
  /** Older keys, still accepted by `open`. */
  readonly previous: readonly SecretKey[];
}

/** Why a sealed value could not be opened. */
export type SecretUnreadableReason = 'malformed' | 'unknown-key' | 'tampered';

/** A sealed value that no configured key opens (wrong key, corrupted or not sealed at all). */
export class SecretUnreadable extends Error {
  constructor(
    readonly reason: SecretUnreadableReason,
    message: string,
  ) {
    super(message);
    this.name = 'SecretUnreadable';
  }
}

/** Thrown when the keyring cannot be built (bad key text, or no key where one is required). */
export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/**
 * Decodes a 32-byte key written as 64 hex digits or base64/base64url (44 or 43 characters), or returns null.
 * Hex is tried first: 64 hex digits are also valid base64 but would decode to 48 bytes.
 */
export function decodeSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === KEY_BYTES ? key : null;
  }
  return null;
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256')
    .update('sync-orchestrator secret key id')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
}

function toSecretKey(value: string | Buffer, label: string): SecretKey {
  const key = typeof value === 'string' ? decodeSecretKey(value) : value;
  if (!key || key.length !== KEY_BYTES)
    throw new SecretKeyError(`${label} must be 32 bytes written as 64 hex digits or base64`);
  return { id: keyIdOf(key), key: Buffer.from(key) };
}

/** A keyring from key texts (hex or base64) or raw 32-byte buffers. */
export function createKeyring(
  current: string | Buffer,
  previous: readonly (string | Buffer)[] = [],
): Keyring {
  const cur = toSecretKey(current, 'the current key');
  const prev = previous
    .map((p, i) => toSecretKey(p, `previous key ${i + 1}`))
    .filter((k, i, all) => k.id !== cur.id && all.findIndex((o) => o.id === k.id) === i);
  return { current: cur, previous: prev };
}

/** A fresh random key as base64 text (what SECRETS_KEY expects). */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** The slice of the config the keyring needs. */
export interface SecretsConfig {
  env: 'development' | 'production' | 'test';
  dataDir: string;
  secrets: { key: string | null; previousKeys: readonly string[] };
}

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * The process keyring. SECRETS_KEY set: it, plus SECRETS_PREVIOUS_KEYS. Not set: production throws
 * (sealed data must not depend on a file nobody backs up); elsewhere a key is generated once into
 * `<DATA_DIR>/secrets.key` (mode 0600) with a warning, and read from there on later starts.
 */
export function keyringFromConfig(config: SecretsConfig, log?: WarnLogger): Keyring {
  const { key, previousKeys } = config.secrets;
  if (key !== null) return createKeyring(key, previousKeys);
  if (config.env === 'production')
    throw new SecretKeyError(
      'SECRETS_KEY is required in production: 32 random bytes as base64 or hex ' +
        '(e.g. `openssl rand -base64 32`). Integration credentials are sealed with it.',
    );
  const file = join(config.dataDir, GENERATED_KEY_FILE);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === null) {
    mkdirSync(config.dataDir, { recursive: true });
    const generated = generateSecretKey();
    try {
      writeFileSync(file, `${generated}\n`, { flag: 'wx', mode: 0o600 });
      text = generated;
      log?.warn(
        { file },
        'SECRETS_KEY is not set: generated a key for sealing credentials and saved it in the data folder. ' +
          'Set SECRETS_KEY in production.',
      );
    } catch (err) {
      // Another process of this deployment generated it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      text = readFileSync(file, 'utf8').trim();
    }
    try {
      chmodSync(file, 0o600);
    } catch {
      // best effort on filesystems without modes
    }
  } else {
    log?.warn({ file }, 'SECRETS_KEY is not set: using the key generated in the data folder');
  }
  try {
    return createKeyring(text, previousKeys);
  } catch {
    throw new SecretKeyError(`${file} does not hold a valid key; set SECRETS_KEY or delete the file`);
  }
}

interface ParsedSealed {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function parseSealed(sealed: string): ParsedSealed {
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !parts.slice(1).every((p) => B64URL.test(p)))
    throw new SecretUnreadable('malformed', 'not a sealed secret');
  const [, keyId = '', iv = '', tag = '', ciphertext = ''] = parts;
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES)
    throw new SecretUnreadable('malformed', 'not a sealed secret');
  return parsed;
}

/** Whether a string has the shape of a sealed value (it may still fail to open). */
export function looksSealed(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parseSealed(value);
    return true;
  } catch {
    return false;
  }
}

/** A SecretBox over a keyring. The key id is bound into the authenticated data, so ids cannot be swapped. */
export function createSecretBox(keyring: Keyring): SecretBox {
  const byId = new Map<string, SecretKey>();
  for (const k of [keyring.current, ...keyring.previous]) if (!byId.has(k.id)) byId.set(k.id, k);

  return {
    seal(plaintext: string): string {
      const { id, key } = keyring.current;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${VERSION}.${id}`));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        id,
        iv.toString('base64url'),
        tag.toString('base64url'),
        ciphertext.toString('base64url'),
      ].join('.');
    },

    open(sealed: string): string {
      const p = parseSealed(sealed);
      const k = byId.get(p.keyId);
      if (!k)
        throw new SecretUnreadable('unknown-key', `sealed under key ${p.keyId}, which is not configured`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', k.key, p.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(`${VERSION}.${p.keyId}`));
        decipher.setAuthTag(p.tag);
        return Buffer.concat([decipher.update(p.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadable('tampered', 'sealed secret failed authentication');
      }
    },

    /** Anything not sealed under the current key (old key, or not sealed at all) is stale. */
    isStale(sealed: string): boolean {
      try {
        return parseSealed(sealed).keyId !== keyring.current.id;
      } catch {
        return true;
      }
    },
  };
}

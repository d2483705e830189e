import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GENERATED_KEY_FILE,
  SecretKeyError,
  SecretUnreadable,
  createKeyring,
  createSecretBox,
  decodeSecretKey,
  keyringFromConfig,
  looksSealed,
} from '../../server/security/secrets.ts';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('hex');
const KEY_C = Buffer.alloc(32, 3).toString('base64url');

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('createSecretBox', () => {
  it('seals with AES-256-GCM into v1.<keyId>.<iv>.<tag>.<ciphertext> and opens it again', () => {
    const box = createSecretBox(createKeyring(KEY_A));
    const plain = '{"token":"tøken-ünïcode-🔑","n":1}';
    const sealed = box.seal(plain);
    const parts = sealed.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(createKeyring(KEY_A).current.id);
    expect(Buffer.from(parts[2] ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3] ?? '', 'base64url')).toHaveLength(16);
    expect(sealed).not.toContain('token');
    expect(box.open(sealed)).toBe(plain);
    expect(box.isStale(sealed)).toBe(false);
    expect(looksSealed(sealed)).toBe(true);
  });

  it('uses a fresh random IV each time', () => {
    const box = createSecretBox(createKeyring(KEY_A));
    const a = box.seal('same');
    const b = box.seal('same');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('rotation: a box with the new key and the old one as previous opens old values and says they are stale', () => {
    const old = createSecretBox(createKeyring(KEY_A));
    const sealedOld = old.seal('old secret');
    const rotated = createSecretBox(createKeyring(KEY_B, [KEY_A]));
    expect(rotated.open(sealedOld)).toBe('old secret');
    expect(rotated.isStale(sealedOld)).toBe(true);
    const resealed = rotated.seal(rotated.open(sealedOld));
    expect(rotated.isStale(resealed)).toBe(false);
    expect(resealed.split('.')[1]).toBe(createKeyring(KEY_B).current.id);
    // The old box alone cannot read what the new key sealed.
    const err = errorOf(() => old.open(resealed));
    expect(err).toBeInstanceOf(SecretUnreadable);
    expect((err as SecretUnreadable).reason).toBe('unknown-key');
  });

  it('a key dropped from the keyring makes its values unreadable with a typed error', () => {
    const sealed = createSecretBox(createKeyring(KEY_A)).seal('x');
    const err = errorOf(() => createSecretBox(createKeyring(KEY_B, [KEY_C])).open(sealed));
    expect(err).toBeInstanceOf(SecretUnreadable);
    expect((err as SecretUnreadable).reason).toBe('unknown-key');
  });

  it('detects tampering with the ciphertext, tag or key id', () => {
    const box = createSecretBox(createKeyring(KEY_A, [KEY_B]));
    const sealed = box.seal('payload that matters');
    const [v, id, iv, tag, ct] = sealed.split('.') as [string, string, string, string, string];
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] = (b[0] ?? 0) ^ 1;
      return b.toString('base64url');
    };
    for (const bad of [
      [v, id, iv, tag, flip(ct)],
      [v, id, iv, flip(tag), ct],
      [v, id, flip(iv), tag, ct],
      [v, createKeyring(KEY_B).current.id, iv, tag, ct],
    ]) {
      const err = errorOf(() => box.open(bad.join('.')));
      expect(err).toBeInstanceOf(SecretUnreadable);
      expect((err as SecretUnreadable).reason).toBe('tampered');
    }
  });

  it('rejects values that are not sealed (plaintext, wrong version, bad lengths) as malformed', () => {
    const box = createSecretBox(createKeyring(KEY_A));
    for (const bad of ['', 'plain text', '{"a":1}', 'v2.a.b.c.d', 'v1.a.b.c.d', 'v1.a.AAAA.AAAA.AAAA']) {
      const err = errorOf(() => box.open(bad));
      expect(err).toBeInstanceOf(SecretUnreadable);
      expect((err as SecretUnreadable).reason).toBe('malformed');
      expect(box.isStale(bad)).toBe(true);
      expect(looksSealed(bad)).toBe(false);
    }
  });
});

describe('keys and keyrings', () => {
  it('decodes 32-byte keys as hex, base64 and base64url, and refuses other lengths', () => {
    const raw = Buffer.alloc(32, 7);
    expect(decodeSecretKey(raw.toString('hex'))).toEqual(raw);
    expect(decodeSecretKey(raw.toString('base64'))).toEqual(raw);
    expect(decodeSecretKey(raw.toString('base64url'))).toEqual(raw);
    expect(decodeSecretKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(decodeSecretKey('too short')).toBeNull();
    expect(() => createKeyring('nope')).toThrow(SecretKeyError);
  });

  it('key ids are stable per key and differ between keys', () => {
    expect(createKeyring(KEY_A).current.id).toBe(createKeyring(Buffer.alloc(32, 1)).current.id);
    expect(createKeyring(KEY_A).current.id).not.toBe(createKeyring(KEY_B).current.id);
    expect(createKeyring(KEY_A).current.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    // The current key listed again among the previous ones is not duplicated.
    expect(createKeyring(KEY_A, [KEY_A, KEY_B, KEY_B]).previous).toHaveLength(1);
  });
});

describe('keyringFromConfig', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'secrets-test-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('uses SECRETS_KEY and SECRETS_PREVIOUS_KEYS when set', () => {
    const ring = keyringFromConfig({
      env: 'production',
      dataDir: tempDir(),
      secrets: { key: KEY_B, previousKeys: [KEY_A] },
    });
    expect(ring.current.id).toBe(createKeyring(KEY_B).current.id);
    expect(ring.previous.map((k) => k.id)).toEqual([createKeyring(KEY_A).current.id]);
  });

  it('refuses to run in production without a key', () => {
    const dataDir = tempDir();
    expect(() =>
      keyringFromConfig({ env: 'production', dataDir, secrets: { key: null, previousKeys: [] } }),
    ).toThrow(/SECRETS_KEY is required in production/);
  });

  it('in development generates a key once under DATA_DIR, warns, and reads the same key on the next start', () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => void warnings.push(msg) };
    const cfg = { env: 'development' as const, dataDir, secrets: { key: null, previousKeys: [] } };
    const first = keyringFromConfig(cfg, log);
    expect(warnings[0]).toMatch(/generated a key/);
    const file = join(dataDir, GENERATED_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = createSecretBox(first).seal('survives a restart');
    const second = keyringFromConfig(cfg, log);
    expect(second.current.id).toBe(first.current.id);
    expect(createSecretBox(second).open(sealed)).toBe('survives a restart');
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(44);
  });

  it('a corrupt generated key file is a clear error, not a silent new key', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, GENERATED_KEY_FILE), 'garbage\n');
    expect(() =>
      keyringFromConfig({ env: 'development', dataDir, secrets: { key: null, previousKeys: [] } }),
    ).toThrow(/does not hold a valid key/);
  });
});

describe('SECRETS_* configuration', () => {
  it('parses SECRETS_KEY and the comma list of previous keys', async () => {
    const { loadConfig } = await import('../../server/config.ts');
    const c = loadConfig({ SECRETS_KEY: KEY_A, SECRETS_PREVIOUS_KEYS: ` ${KEY_B}, ${KEY_C} ,` });
    expect(c.secrets).toEqual({ key: KEY_A, previousKeys: [KEY_B, KEY_C] });
    expect(loadConfig({}).secrets).toEqual({ key: null, previousKeys: [] });
  });

  it('reports malformed keys and a missing key in production with the other config problems', async () => {
    const { loadConfig, ConfigError } = await import('../../server/config.ts');
    const err = errorOf(() =>
      loadConfig({ SECRETS_KEY: 'short', SECRETS_PREVIOUS_KEYS: `${KEY_A},bad` }),
    ) as InstanceType<typeof ConfigError>;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.join('\n')).toMatch(/SECRETS_KEY must be 32 bytes/);
    expect(err.problems.join('\n')).toMatch(/SECRETS_PREVIOUS_KEYS: key 2/);
    const prod = errorOf(() => loadConfig({ NODE_ENV: 'production' })) as InstanceType<typeof ConfigError>;
    expect(prod.problems.join('\n')).toMatch(/SECRETS_KEY is required in production/);
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: KEY_B }).secrets.key).toBe(KEY_B);
  });
});

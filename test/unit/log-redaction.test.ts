import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isSensitiveKey, REDACTED } from '../../server/logger.ts';

/** A logger writing into an array of parsed JSON lines, plus the raw text. */
function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const log = createLogger({ name: 'test', level: 'trace', destination });
  return {
    log,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRET = 'sk_live_NEVER_LOGGED_42';

describe('log redaction', () => {
  it('redacts credential-like keys at the top level, in any spelling', () => {
    const c = capture();
    c.log.info(
      {
        credentials: { apiKey: SECRET },
        password: SECRET,
        secret: SECRET,
        token: SECRET,
        accessToken: SECRET,
        refresh_token: SECRET,
        clientSecret: SECRET,
        client_secret: SECRET,
        apiKey: SECRET,
        'x-api-key': SECRET,
        authorization: `Bearer ${SECRET}`,
        Authorization: `Basic ${SECRET}`,
        cookie: SECRET,
        jobId: 'job-1',
      },
      'connecting',
    );
    expect(c.text()).not.toContain(SECRET);
    const [line] = c.lines();
    expect(line).toMatchObject({
      msg: 'connecting',
      jobId: 'job-1',
      credentials: REDACTED,
      apiKey: REDACTED,
    });
    expect(line?.['x-api-key']).toBe(REDACTED);
    expect(line?.Authorization).toBe(REDACTED);
  });

  it('redacts at any depth, inside arrays, request headers and child bindings', () => {
    const c = capture();
    c.log.warn(
      {
        req: { method: 'POST', headers: { Authorization: `Bearer ${SECRET}`, 'content-type': 'x' } },
        integration: { id: 'i1', settings: { deep: { deeper: { oauth: { refreshToken: SECRET } } } } },
        batches: [{ items: [{ access_token: SECRET, sku: 'A1' }] }],
        tokens: { accessToken: SECRET, expiresAt: 1 },
      },
      'request',
    );
    c.log.child({ integration: { credentials: { password: SECRET } }, role: 'worker' }).info('child line');
    expect(c.text()).not.toContain(SECRET);
    const [first, second] = c.lines();
    expect(first).toMatchObject({
      req: { method: 'POST', headers: { Authorization: REDACTED, 'content-type': 'x' } },
      batches: [{ items: [{ access_token: REDACTED, sku: 'A1' }] }],
      tokens: REDACTED,
    });
    expect(second).toMatchObject({ role: 'worker', integration: { credentials: REDACTED } });
  });

  it('redacts what an error carries (fields added to it, a response’s headers)', () => {
    const c = capture();
    const err = Object.assign(new Error('platform said 401'), {
      response: { status: 401, headers: { authorization: `Bearer ${SECRET}` } },
      token: SECRET,
    });
    c.log.error({ err }, 'call failed');
    expect(c.text()).not.toContain(SECRET);
    const [line] = c.lines();
    expect(line).toMatchObject({
      msg: 'call failed',
      err: { message: 'platform said 401', token: REDACTED, response: { status: 401 } },
    });
  });

  it('does not touch ordinary fields, and does not mutate the logged object', () => {
    const c = capture();
    const obj = {
      jobId: 'j',
      counts: { processed: 3 },
      idempotencyKey: 'k',
      hasCredentials: true,
      password: 'p',
    };
    c.log.info(obj, 'done');
    expect(c.lines()[0]).toMatchObject({ jobId: 'j', counts: { processed: 3 }, idempotencyKey: 'k' });
    expect(c.lines()[0]?.hasCredentials).toBe(true);
    expect(obj.password).toBe('p');
  });

  it('survives cyclic objects', () => {
    const c = capture();
    const a: Record<string, unknown> = { name: 'a', secret: SECRET };
    a.self = a;
    c.log.info({ a }, 'cycle');
    expect(c.text()).not.toContain(SECRET);
  });

  it('classifies key names', () => {
    for (const k of [
      'credentials',
      'Password',
      'api-key',
      'API_KEY',
      'nextPageToken',
      'client_secret',
      'Cookie',
    ])
      expect(isSensitiveKey(k), k).toBe(true);
    for (const k of ['jobId', 'hasCredentials', 'idempotencyKey', 'tokenType_', 'name'])
      expect(isSensitiveKey(k), k).toBe(false);
  });
});

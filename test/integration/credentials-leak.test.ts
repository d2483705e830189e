/**
 * Integration credentials never leave the server and never rest in plaintext: distinctive values written through
 * GraphQL are absent from every API answer (GraphQL queries, job detail, REST, graphql-ws subscription payloads),
 * from every log line of the API and the worker (captured at trace level while a job runs), and from every table
 * of the database. They are sealed under the configured key, and still open for the code that uses them. Rows
 * written before sealing (plaintext) or under an old key stay readable and are re-sealed on their next write.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { buildApiApp, type ApiApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import {
  openIntegrationCredentials,
  sealCredentials,
} from '../../server/security/integration-credentials.ts';
import { createKeyring, createSecretBox, SecretUnreadable } from '../../server/security/secrets.ts';
import { createWorker, type Worker } from '../../server/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { subscribeWs, wsClient } from '../helpers/live.ts';
import { createTestRedisPrefix } from '../helpers/redis.ts';
import { gql, TEST_SECRETS_KEY, testEnv } from '../helpers/stack.ts';
import { waitForJob } from '../helpers/wait.ts';

const OLD_KEY = Buffer.alloc(32, 0x11).toString('base64');

const API_KEY = `sk_live_${randomUUID()}`;
const REFRESH = `rt_${randomUUID()}`;
const PASSWORD = `pw_${randomUUID()}`;
const NEW_TOKEN = `tok_${randomUUID()}`;
const SECRETS = [API_KEY, REFRESH, PASSWORD, NEW_TOKEN];

let testDb: TestDatabase;
let redis: ReturnType<typeof createTestRedisPrefix>;
let api: ApiApp;
let worker: Worker;
let url: string;
let logText = '';

const INTEGRATION = 'id name enabled hasCredentials settings platform createdAt updatedAt';

beforeAll(async () => {
  testDb = await createTestDatabase();
  redis = createTestRedisPrefix();
  // The current key is the test key; an old one is still accepted for reading.
  const config = loadConfig(
    testEnv(testDb, redis.prefix, { SECRETS_PREVIOUS_KEYS: OLD_KEY, WORKER_PROGRESS_INTERVAL_MS: '0' }),
  );
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  const log = createLogger({ name: 'leak-test', level: 'trace', destination });
  api = buildApiApp({ config, db: testDb.db, log: log.child({ role: 'api' }) });
  url = (await api.start(0, '127.0.0.1')).url;
  worker = createWorker({ config, db: testDb.db, log: log.child({ role: 'worker' }) });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop(200);
  await api?.stop();
  await testDb?.drop();
  await redis?.cleanup();
});

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} contains a credential`).toBe(false);
}

/** Every row of every table in the database, as text. */
async function wholeDatabaseText(): Promise<string> {
  const tables = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(testDb.db);
  let text = '';
  for (const { tablename } of tables.rows) {
    const rows = await sql<{ row: string }>`
      SELECT t::text AS row FROM ${sql.table(tablename)} t`.execute(testDb.db);
    text += rows.rows.map((r) => r.row).join('\n');
  }
  return text;
}

describe('credentials written through the API', () => {
  let id: string;
  let jobId: string;

  it('are sealed at rest and open for the code that uses them', async () => {
    const created = await gql(
      url,
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { ${INTEGRATION} } }`,
      {
        input: {
          name: 'Leak check',
          settings: { products: 6, orders: 2, latencyMs: 100, pageSize: 2 },
          credentials: { apiKey: API_KEY, oauth: { refreshToken: REFRESH }, password: PASSWORD },
        },
      },
    );
    expect(created.errors).toBeUndefined();
    expectNoSecret('createIntegration', JSON.stringify(created));
    id = created.data.createIntegration.id;
    expect(created.data.createIntegration.hasCredentials).toBe(true);

    const raw = await testDb.db
      .selectFrom('integrations')
      .select(['credentials', 'credentials_sealed'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(raw.credentials).toBeNull();
    expect(raw.credentials_sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\./);
    expect(raw.credentials_sealed?.split('.')[1]).toBe(createKeyring(TEST_SECRETS_KEY).current.id);
    expectNoSecret('the integrations row', JSON.stringify(raw));

    const box = createSecretBox(createKeyring(TEST_SECRETS_KEY));
    expect(await openIntegrationCredentials(testDb.db, box, id)).toEqual({
      apiKey: API_KEY,
      oauth: { refreshToken: REFRESH },
      password: PASSWORD,
    });
    // Another key cannot open them.
    await expect(
      openIntegrationCredentials(testDb.db, createSecretBox(createKeyring(OLD_KEY)), id),
    ).rejects.toBeInstanceOf(SecretUnreadable);
  });

  it('appear in no GraphQL answer, subscription payload or REST answer while a job runs', async () => {
    const answers: string[] = [];
    const client = wsClient(url);
    const events = subscribeWs(
      client,
      `subscription { jobEvents { kind job { id status integration { ${INTEGRATION} lastJobs { id } } } } }`,
      {},
      (d: { jobEvents: unknown }) => d.jobEvents,
    );
    // Wait for the subscription to be live before the job starts.
    await new Promise<void>((resolve, reject) => {
      const probe = client.subscribe(
        { query: '{ integrations { id } }' },
        { next: () => undefined, error: reject, complete: resolve },
      );
      void probe;
    });

    const job = await gql(
      url,
      `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id integration { ${INTEGRATION} } } } }`,
      { input: { integrationId: id, syncType: 'PRODUCTS' } },
    );
    expect(job.errors).toBeUndefined();
    answers.push(JSON.stringify(job));
    jobId = job.data.createSyncJob.job.id;
    const updates = subscribeWs(
      client,
      `subscription($id: ID!) { jobUpdated(id: $id) { id status integration { ${INTEGRATION} } } }`,
      { id: jobId },
      (d: { jobUpdated: { status: string } }) => d.jobUpdated,
    );
    await waitForJob(testDb.db, jobId, (j) => j.status === 'COMPLETED', 'the job completes');
    await updates.until('the COMPLETED update', (u) => u.status === 'COMPLETED');
    await events.until('a COMPLETED event', (e) => JSON.stringify(e).includes('COMPLETED'));

    // Credentials replaced through the API are no more visible than the first ones.
    const updated = await gql(
      url,
      `mutation($id: ID!, $input: UpdateIntegrationInput!) { updateIntegration(id: $id, input: $input) { ${INTEGRATION} } }`,
      { id, input: { credentials: { apiKey: API_KEY, accessToken: NEW_TOKEN } } },
    );
    expect(updated.errors).toBeUndefined();
    answers.push(JSON.stringify(updated));

    for (const query of [
      `query($id: ID!) { integration(id: $id) { ${INTEGRATION} lastJobs { id status } } }`,
      `{ integrations { ${INTEGRATION} } }`,
    ])
      answers.push(JSON.stringify(await gql(url, query, { id })));
    answers.push(
      JSON.stringify(
        await gql(
          url,
          `query($id: ID!) { job(id: $id) { id status logs { message data } integration { ${INTEGRATION} } } }`,
          { id: jobId },
        ),
      ),
    );
    for (const path of [
      `/api/sync/jobs/${jobId}`,
      `/api/sync/jobs?limit=50`,
      `/api/sync/jobs/${jobId}/events`,
      `/api/sync/jobs/${jobId}/logs`,
      `/api/sync/queue/stats`,
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      answers.push(await res.text());
    }
    answers.push(JSON.stringify(events.events), JSON.stringify(updates.events));
    await events.close();
    await updates.close();
    await client.dispose();

    expect(updates.events.length).toBeGreaterThan(0);
    expect(answers.join('\n')).toContain(id);
    expectNoSecret('API answers', answers.join('\n'));
  });

  it('appear in no log line of the API or the worker', () => {
    // The capture is real: the API and the worker both logged while the job ran.
    expect(logText).toMatch(/"role":"api"/);
    expect(logText).toMatch(/"role":"worker"/);
    expect(logText).toContain(jobId);
    expectNoSecret('the logs', logText);
  });

  it('appear in no table of the database, in any column', async () => {
    const text = await wholeDatabaseText();
    expect(text).toContain(id);
    expectNoSecret('the database', text);
  });
});

describe('rows written before sealing or under an old key', () => {
  const current = createSecretBox(createKeyring(TEST_SECRETS_KEY, [OLD_KEY]));
  const currentId = createKeyring(TEST_SECRETS_KEY).current.id;

  async function insertRow(values: { credentials: string | null; credentials_sealed: string | null }) {
    const row = await testDb.db
      .insertInto('integrations')
      .values({ name: 'Old row', platform: 'SANDBOX', settings: '{}', ...values })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  const stored = (id: string) =>
    testDb.db
      .selectFrom('integrations')
      .select(['credentials', 'credentials_sealed'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('a plaintext row is readable, shown as having credentials, and sealed on its next write', async () => {
    const id = await insertRow({
      credentials: JSON.stringify({ apiKey: 'legacy-plain' }),
      credentials_sealed: null,
    });
    expect(await openIntegrationCredentials(testDb.db, current, id)).toEqual({ apiKey: 'legacy-plain' });
    const shown = await gql(url, `query($id: ID!) { integration(id: $id) { hasCredentials } }`, { id });
    expect(shown.data.integration.hasCredentials).toBe(true);
    expect(JSON.stringify(shown)).not.toContain('legacy-plain');

    const renamed = await gql(
      url,
      `mutation($id: ID!) { updateIntegration(id: $id, input: { name: "Renamed" }) { name hasCredentials } }`,
      { id },
    );
    expect(renamed.data.updateIntegration).toEqual({ name: 'Renamed', hasCredentials: true });
    const after = await stored(id);
    expect(after.credentials).toBeNull();
    expect(after.credentials_sealed?.split('.')[1]).toBe(currentId);
    expect(after.credentials_sealed).not.toContain('legacy-plain');
    expect(await openIntegrationCredentials(testDb.db, current, id)).toEqual({ apiKey: 'legacy-plain' });
  });

  it('a row sealed under a previous key is readable and re-sealed under the current key on its next write', async () => {
    const old = createSecretBox(createKeyring(OLD_KEY));
    const id = await insertRow({
      credentials: null,
      credentials_sealed: sealCredentials(old, { token: 'old-key' }),
    });
    expect(current.isStale((await stored(id)).credentials_sealed ?? '')).toBe(true);
    expect(await openIntegrationCredentials(testDb.db, current, id)).toEqual({ token: 'old-key' });

    const paused = await gql(url, `mutation($id: ID!) { disableIntegration(id: $id) { enabled } }`, { id });
    expect(paused.errors).toBeUndefined();
    const after = await stored(id);
    expect(after.credentials_sealed?.split('.')[1]).toBe(currentId);
    expect(current.isStale(after.credentials_sealed ?? '')).toBe(false);
    expect(await openIntegrationCredentials(testDb.db, current, id)).toEqual({ token: 'old-key' });
  });

  it('a row sealed under a key no longer configured is a typed SecretUnreadable, and the API still lists it', async () => {
    const lost = createSecretBox(createKeyring(Buffer.alloc(32, 0x77)));
    const id = await insertRow({ credentials: null, credentials_sealed: lost.seal('{"token":"lost"}') });
    await expect(openIntegrationCredentials(testDb.db, current, id)).rejects.toMatchObject({
      name: 'SecretUnreadable',
      reason: 'unknown-key',
    });
    const all = await gql(url, `{ integrations { id hasCredentials } }`);
    expect(all.errors).toBeUndefined();
    expect(all.data.integrations).toContainEqual({ id, hasCredentials: true });
  });
});

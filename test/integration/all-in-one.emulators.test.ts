/**
 * `npm start` for a newcomer who wants to try the real platforms: the all-in-one runs the Bling, Mercado Livre and
 * Nuvemshop emulators on fixed ports (three free ones here), lists them in its banner, and the demo seed connects
 * one integration to each. The emulators answer their platform's API with the demo catalog, and the demo credentials
 * work (a Bling then a Nuvemshop products sync, read back in the item ledger); a second start on the same data folder
 * seeds nothing twice and hands the demo integrations the credentials issued at that start (a Bling sync works).
 * The `platforms` query of the same server describes each platform's form from its definition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gql } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sync-all-in-one-emulators-'));
const running = new Set<ChildProcess>();

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Three consecutive free ports, like 8101–8103 on a newcomer's machine. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await isFree(base)) && (await isFree(base + 1)) && (await isFree(base + 2))) return base;
  }
  throw new Error('no three consecutive free ports');
}

interface Started {
  child: ChildProcess;
  url: string;
  emulators: Record<string, string>;
  output(): string;
}

async function startAllInOne(basePort: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    DASHBOARD_PORT: '0',
    FLOWER_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    EMULATORS_BASE_PORT: String(basePort),
  };
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'CELERY_BROKER_URL',
    'REDIS_PASSWORD',
    'REDIS_PREFIX',
    'EMULATORS',
  ])
    delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/all.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = await waitFor(
    'the all-in-one banner',
    () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`);
      return /GraphiQL\s+(http:\/\/\S+)\/graphql/.exec(out)?.[1]?.replace('localhost', '127.0.0.1');
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${out}`);
  });
  const emulators: Record<string, string> = {};
  for (const [, label, link] of out.matchAll(/\n\s+(Bling|ML|Nuvemshop)\s+(http:\/\/\S+) \(.+ emulator\)/g))
    emulators[label!] = link!.replace('localhost', '127.0.0.1');
  return { child, url, emulators, output: () => out };
}

async function stop(app: Started): Promise<void> {
  app.child.kill('SIGINT');
  await waitFor(
    'the all-in-one to exit',
    () => app.child.exitCode !== null || app.child.signalCode !== null,
    {
      timeoutMs: 30_000,
    },
  );
  expect(app.child.exitCode, app.output()).toBe(0);
}

interface DemoIntegration {
  id: string;
  name: string;
  platform: string;
  hasCredentials: boolean;
  settings: Record<string, unknown>;
}

async function integrations(url: string): Promise<DemoIntegration[]> {
  const result = await gql<{ integrations: DemoIntegration[] }>(
    url,
    '{ integrations { id name platform hasCredentials settings } }',
  );
  expect(result.errors).toBeUndefined();
  return result.data!.integrations;
}

/** Queues a sync job over GraphQL and waits for it to complete; returns its id. */
async function runJob(url: string, integrationId: string, syncType: string): Promise<string> {
  const created = await gql<{ createSyncJob: { job: { id: string } } }>(
    url,
    'mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }',
    { input: { integrationId, syncType } },
  );
  expect(created.errors).toBeUndefined();
  const id = created.data!.createSyncJob.job.id;
  await waitFor(
    `job ${id} to complete`,
    async () => {
      const body = (await (await fetch(`${url}/api/sync/jobs/${id}`)).json()) as { status: string };
      if (body.status === 'failed' || body.status === 'cancelled') throw new Error(JSON.stringify(body));
      return body.status === 'completed';
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return id;
}

const DEMO_NAMES = { BLING: 'Demo Bling', MERCADO_LIVRE: 'Demo Mercado Livre', NUVEMSHOP: 'Demo Nuvemshop' };

describe('npm start with the platform emulators', () => {
  let basePort = 0;

  it('runs the three emulators on their ports, with the demo catalog, and connects a demo integration to each', async () => {
    basePort = await freeBasePort();
    const app = await startAllInOne(basePort);
    expect(app.output()).toMatch(/running \(emulators \+ worker/);
    expect(app.emulators).toEqual({
      Bling: `http://127.0.0.1:${basePort}`,
      ML: `http://127.0.0.1:${basePort + 1}`,
      Nuvemshop: `http://127.0.0.1:${basePort + 2}`,
    });

    // Each answers its platform's API: auth refused without credentials, the demo catalog with them.
    const bling = await fetch(`${app.emulators.Bling}/Api/v3/produtos`);
    expect(bling.status).toBe(401);
    expect(((await bling.json()) as { error: { type: string } }).error.type).toBe('invalid_token');
    const ml = await fetch(`${app.emulators.ML}/users/123456789/items/search`);
    expect(ml.status).toBe(401);
    const nuvem = await fetch(`${app.emulators.Nuvemshop}/2025-03/1001/products?per_page=200`, {
      headers: { 'User-Agent': 'Test (test@example.com)', Authentication: 'bearer demo-nuvemshop-token' },
    });
    expect(nuvem.status).toBe(200);
    const products = (await nuvem.json()) as { variants: { sku: string }[] }[];
    expect(products.flatMap((p) => p.variants.map((v) => v.sku))).toContain('SKU-0001');

    // The demo seed (first start): one integration per platform, pointed at its emulator, credentials stored.
    const found = await waitFor('the demo integrations', async () => {
      const list = await integrations(app.url);
      return Object.values(DEMO_NAMES).every((n) => list.some((i) => i.name === n)) ? list : undefined;
    });
    const byName = new Map(found.map((i) => [i.name, i]));
    expect(byName.get('Demo store')?.platform).toBe('SANDBOX');
    const blingDemo = byName.get(DEMO_NAMES.BLING)!;
    expect(blingDemo).toMatchObject({ platform: 'BLING', hasCredentials: true });
    expect(blingDemo.settings.baseUrl).toBe(`${app.emulators.Bling}/Api/v3`);
    expect(byName.get(DEMO_NAMES.MERCADO_LIVRE)).toMatchObject({
      platform: 'MERCADO_LIVRE',
      hasCredentials: true,
      settings: expect.objectContaining({ baseUrl: app.emulators.ML, sellerId: '123456789' }),
    });
    expect(byName.get(DEMO_NAMES.NUVEMSHOP)).toMatchObject({
      platform: 'NUVEMSHOP',
      hasCredentials: true,
      settings: expect.objectContaining({ baseUrl: `${app.emulators.Nuvemshop}/2025-03`, storeId: '1001' }),
    });
    // Credentials are write-only: the settings carry none of them.
    expect(JSON.stringify(found)).not.toContain('demo-nuvemshop-token');

    // The demo credentials work: the ERP's catalog reaches the hub, then the storefront, item by item.
    await runJob(app.url, blingDemo.id, 'PRODUCTS');
    const nuvemJob = await runJob(app.url, byName.get(DEMO_NAMES.NUVEMSHOP)!.id, 'PRODUCTS');
    const ledger = await gql<{ itemLedger: { nodes: { key: string; outcome: string }[] } }>(
      app.url,
      'query($f: ItemLedgerFilter) { itemLedger(filter: $f, first: 100) { nodes { key outcome } } }',
      { f: { jobId: nuvemJob } },
    );
    expect(ledger.errors).toBeUndefined();
    const keys = ledger.data!.itemLedger.nodes.map((n) => n.key);
    expect(keys).toContain('SKU-0001');
    // Products 11 and 12 exist only in the ERP: the storefront gets them too.
    expect(keys).toContain('SKU-0012');
    expect(ledger.data!.itemLedger.nodes.every((n) => n.outcome === 'OK')).toBe(true);

    await stop(app);
  }, 180_000);

  it('a second start seeds nothing twice and reconnects the demo integrations; the platforms query describes their forms', async () => {
    expect(basePort).not.toBe(0);
    const app = await startAllInOne(basePort);
    await waitFor('the reconnects', () =>
      Object.values(DEMO_NAMES).every((n) => app.output().includes(`"${n}" reconnected to the emulator`)),
    );
    const list = await integrations(app.url);
    for (const name of [...Object.values(DEMO_NAMES), 'Demo store'])
      expect(list.filter((i) => i.name === name)).toHaveLength(1);
    // The refresh token the first run rotated died with that emulator; the one issued now works.
    await runJob(app.url, list.find((i) => i.name === DEMO_NAMES.BLING)!.id, 'PRODUCTS');

    // The platforms query describes each platform's form from its definition.
    const result = await gql<{
      platforms: {
        platform: string;
        role: string | null;
        available: boolean;
        settingsFields: { path: string; required: boolean; secret: boolean; defaultValue: unknown }[];
        credentialFields: { path: string; required: boolean; secret: boolean }[];
      }[];
    }>(
      app.url,
      '{ platforms { platform role available settingsFields { path required secret defaultValue } credentialFields { path required secret } } }',
    );
    expect(result.errors).toBeUndefined();
    const by = new Map(result.data!.platforms.map((p) => [p.platform, p]));
    expect([...by.keys()]).toEqual(['SANDBOX', 'BLING', 'MERCADO_LIVRE', 'NUVEMSHOP']);

    const nuvem = by.get('NUVEMSHOP')!;
    expect(nuvem.role).toBe('CHANNEL');
    expect(nuvem.settingsFields.filter((f) => f.required).map((f) => f.path)).toEqual([
      'storeId',
      'userAgent',
    ]);
    expect(nuvem.credentialFields).toEqual([{ path: 'accessToken', required: true, secret: true }]);

    const bling = by.get('BLING')!;
    expect(bling.role).toBe('ERP');
    expect(bling.settingsFields.map((f) => f.path)).toEqual(
      expect.arrayContaining(['baseUrl', 'depositoId', 'rateLimit.burst', 'rateLimit.perSecond']),
    );
    expect(bling.settingsFields.find((f) => f.path === 'rateLimit.burst')?.defaultValue).toBe(1);
    expect(
      Object.fromEntries(bling.credentialFields.map((f) => [f.path, [f.required, f.secret]])),
    ).toMatchObject({
      clientId: [true, false],
      clientSecret: [true, true],
      refreshToken: [true, true],
      accessToken: [false, true],
    });

    const ml = by.get('MERCADO_LIVRE')!;
    expect(ml.role).toBe('CHANNEL');
    expect(ml.settingsFields.find((f) => f.path === 'sellerId')?.required).toBe(true);
    expect(ml.settingsFields.find((f) => f.path === 'safetyBuffer')?.defaultValue).toBe(0);
    await stop(app);
  }, 180_000);
});

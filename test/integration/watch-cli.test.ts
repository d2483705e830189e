/** The example consumer follows a job to its end over graphql-ws and exits with a status-specific code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKeys } from '../helpers/auth.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

let stack: TestStack;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.stop();
});

it('npm run watch -- --job <id> prints the snapshot and every update, then exits 0 when the job completes', async () => {
  const integrationId = await createSandboxIntegration(stack.url, {
    products: 30,
    latencyMs: 10,
    pageSize: 10,
  });
  const { job } = await stack.api.services.jobs.create({
    integrationId,
    syncType: 'PRODUCTS',
    options: { fullSync: true, batchSize: 10 },
  });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/cli/watch-jobs.ts', '--job', job.id, '--url', stack.url, '--json'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  // Start the worker only once the watcher has printed the snapshot, so it sees the whole run.
  await waitFor('snapshot line', () => out.includes('"SNAPSHOT"'));
  await stack.startWorker();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; status: string; processedItems: number });
  expect(code).toBe(0);
  expect(lines[0]).toMatchObject({ kind: 'SNAPSHOT', status: 'QUEUED' });
  expect(lines.at(-1)).toMatchObject({ kind: 'UPDATE', status: 'COMPLETED', processedItems: 60 });
});

it('npm run watch -- --key <key> follows a job on a server that requires keys, and exits 4 on a refused key', async () => {
  const secured = await startTestStack({ env: { API_AUTH: 'required' } });
  try {
    const keys = await createTestKeys(secured);
    const integration = await secured.api.services.integrations.create({
      name: 'watched',
      platform: 'SANDBOX',
      settings: { products: 5, latencyMs: 1 },
    });
    const { job } = await secured.api.services.jobs.create({
      integrationId: integration.id,
      syncType: 'PRODUCTS',
      options: { fullSync: true },
    });
    const watch = (key: string) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/cli/watch-jobs.ts',
          '--job',
          job.id,
          '--url',
          secured.url,
          '--json',
          '--key',
          key,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { exited, out: () => out, err: () => err };
    };

    const refused = watch(keys.revoked);
    expect(await refused.exited).toBe(4);
    expect(refused.err()).toMatch(/refused by the server \(4401/);
    expect(refused.out()).toBe('');

    const viewer = watch(keys.viewer);
    await waitFor('snapshot line', () => viewer.out().includes('"SNAPSHOT"'));
    await secured.startWorker();
    expect(await viewer.exited).toBe(0);
    expect(viewer.out().trim().split('\n').at(-1)).toContain('"COMPLETED"');
  } finally {
    await secured.stop();
  }
});

/** The example consumer follows a job to its end over graphql-ws and exits with a status-specific code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** Delivery details: progress bursts are coalesced to their latest value, and shutdown closes subscribers cleanly. */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedHandlers } from '../helpers/handlers.ts';
import { subscribeWs, wsClient } from '../helpers/live.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

interface Snapshot {
  status: string;
  processedItems: number;
  version: number;
}

let seenFinalValue!: () => void;
const handlers = scriptedHandlers(async (ctx) => {
  for (let processed = 1; processed <= 200; processed++) ctx.progress({ processed, total: 200, failed: 0 });
  // Finish only once a subscriber has seen the last progress value while the job still runs.
  await new Promise<void>((resolve) => (seenFinalValue = resolve));
  return { processed: 200, total: 200, failed: 0 };
});
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ getHandler: handlers.getHandler });
});

afterAll(async () => {
  await stack.stop();
});

describe('subscription delivery', () => {
  it('200 progress reports in a burst reach subscribers coalesced, ending with the final value', async () => {
    const integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
    const { job } = await stack.api.services.jobs.create({ integrationId, syncType: 'PRODUCTS' });
    const client = wsClient(stack.url);
    const sub = subscribeWs(
      client,
      `subscription($id: ID!) { jobUpdated(id: $id) { status processedItems version } }`,
      { id: job.id },
      (d: any) => d.jobUpdated as Snapshot,
    );
    await sub.until('queued snapshot', (e) => e.status === 'QUEUED');
    await stack.startWorker();
    await sub.until(
      'final progress while running',
      (e) => e.status === 'RUNNING' && e.processedItems === 200,
    );
    seenFinalValue();
    await sub.completed;
    await client.dispose();
    const running = sub.events.filter((e) => e.status === 'RUNNING');
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running.length).toBeLessThan(20);
    expect(running.map((e) => e.processedItems)).toEqual(
      [...running.map((e) => e.processedItems)].sort((a, b) => a - b),
    );
    expect(sub.events.at(-1)).toMatchObject({ status: 'COMPLETED', processedItems: 200 });
  });

  it('stopping the API closes subscriptions with 1001 before its Redis connections close', async () => {
    const own = await startTestStack();
    const integrationId = await createSandboxIntegration(own.url, { products: 0, orders: 0 });
    const { job } = await own.api.services.jobs.create({ integrationId, syncType: 'ORDERS' });
    const socket = new WebSocket(`${own.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: any[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString())));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor('connection_ack', () => messages.some((m) => m.type === 'connection_ack'));
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: {
          query: `subscription($id: ID!) { jobUpdated(id: $id) { status } }`,
          variables: { id: job.id },
        },
      }),
    );
    await waitFor('snapshot', () => messages.some((m) => m.type === 'next'));
    await own.stop();
    expect(await closed).toBe(1001);
  });
});

/**
 * Create latency: `createSyncJob` over HTTP (the GraphQL mutation) at a fixed overall rate for a fixed time, with
 * autocannon; every request names a distinct (integration, type) pair so each one records and enqueues a real job,
 * and a worker runs them meanwhile.
 *
 * autocannon paces a rate per connection and per second: each connection sends its share of the second's budget
 * back to back, then waits for the next second. Latency here is each request's raw round trip (autocannon's
 * coordinated-omission correction is off, see the README), percentiles computed over every sample.
 */
import autocannon from 'autocannon';
import { CREATE, benchAuthHeaders } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { EMPTY_STORE, seedPairs } from '../lib/infra.ts';
import { waitForJobs } from '../lib/jobs.ts';
import type { ApiProcess } from '../lib/processes.ts';
import { distribution, type Distribution } from '../lib/stats.ts';

export interface CreateLatencyResult {
  rate: number;
  durationS: number;
  connections: number;
  requests: number;
  /** Requests answered per second over the run. */
  achievedRate: number;
  latencyMs: Distribution;
  /** autocannon's own histogram (2xx only, whole milliseconds), for comparison. */
  autocannonLatencyMs: { p50: number; p99: number; max: number };
  errors: {
    total: number;
    non2xx: number;
    connection: number;
    timeouts: number;
    /** 200 answers whose body carried GraphQL errors. */
    graphql: number;
  };
  deduplicated: number;
  created: number;
  completed: number;
  unsuccessful: number;
}

const UUID = /"id":"([0-9a-f-]{36})"/;

export interface CreateLatencyOptions {
  durationS?: number;
  /** No worker runs during the load (the API's own latency); `drain` runs the jobs afterwards. */
  drain?: () => Promise<() => Promise<void>>;
}

export async function runCreateLatency(
  ctx: BenchContext,
  api: ApiProcess,
  options: CreateLatencyOptions = {},
): Promise<CreateLatencyResult> {
  const { createRate: rate, createConnections } = ctx.options;
  const durationS = options.durationS ?? ctx.options.createDurationS;
  // A pair is taken per request built; a few more than the requests sent, so no pair is ever reused.
  const pairs = await seedPairs(ctx.db, Math.ceil(rate * durationS * 1.1) + 100, EMPTY_STORE, 'create');
  let next = 0;
  let graphqlErrors = 0;
  let deduplicated = 0;
  const ids: string[] = [];
  const samples: number[] = [];

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: api.url,
        connections: Math.min(createConnections, rate),
        overallRate: rate,
        duration: durationS,
        ignoreCoordinatedOmission: true,
        requests: [
          {
            method: 'POST',
            path: '/graphql',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              ...benchAuthHeaders(),
            },
            setupRequest: (request) => {
              const pair = pairs[next++ % pairs.length]!;
              return { ...request, body: JSON.stringify({ query: CREATE, variables: { input: pair } }) };
            },
            onResponse: (status, body) => {
              if (status >= 200 && status < 300 && body.includes('"errors"')) graphqlErrors++;
              if (body.includes('"deduplicated":true')) deduplicated++;
              const id = UUID.exec(body)?.[1];
              if (id) ids.push(id);
            },
          },
        ],
      },
      (err: unknown, res: autocannon.Result) =>
        err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(res),
    );
    // The tracker emits (client, statusCode, resBytes, responseTime); the typings omit the client.
    (instance as unknown as NodeJS.EventEmitter).on('response', (...args: unknown[]) => {
      samples.push(args[args.length - 1] as number);
    });
  });

  ctx.log(`create: ${samples.length} responses; waiting for their ${ids.length} jobs to complete`);
  const stopDrain = options.drain ? await options.drain() : undefined;
  const done = await waitForJobs(ctx.db, ids, {
    timeoutMs: Math.max(120_000, ids.length * 30),
    what: 'the created jobs to finish',
  });
  await stopDrain?.();
  const connection = result.errors - result.timeouts;
  return {
    rate,
    durationS,
    connections: result.connections,
    requests: samples.length,
    achievedRate: Math.round((samples.length / result.duration) * 10) / 10,
    latencyMs: distribution(samples),
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: {
      total: result.non2xx + result.errors + graphqlErrors,
      non2xx: result.non2xx,
      connection,
      timeouts: result.timeouts,
      graphql: graphqlErrors,
    },
    deduplicated,
    created: ids.length,
    completed: done.completed,
    unsuccessful: done.unsuccessful,
  };
}

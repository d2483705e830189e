/**
 * The REST shim's refusals: every bad request gets the documented 4xx with {"error": {"code", "message", "details"}}
 * and writes no job row. No worker runs here, so every job created stays QUEUED.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxIntegration, gql, startTestStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let integrationId: string;

interface RestResult {
  status: number;
  headers: Headers;
  body: any;
}

interface ErrorBody {
  error: { code: string; message: string; details: any };
}

beforeAll(async () => {
  stack = await startTestStack({ workers: 0 });
  integrationId = await createSandboxIntegration(stack.url);
});

afterAll(async () => {
  await stack?.stop();
});

async function countJobs(): Promise<number> {
  const row = await stack.db
    .selectFrom('sync_jobs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function call(
  method: string,
  path: string,
  options: { json?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<RestResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
  }
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The error envelope every refusal uses, with the exact status and code. */
function expectError(res: RestResult, status: number, code: string): ErrorBody['error'] {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body as object)).toEqual(['error']);
  const error = (res.body as ErrorBody).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message']);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

/** Runs a bad request and checks it left the job table exactly as it was. */
async function rejectedWithoutWrites(
  send: () => Promise<RestResult>,
  status: number,
  code: string,
): Promise<ErrorBody['error']> {
  const before = await countJobs();
  const res = await send();
  const error = expectError(res, status, code);
  expect(await countJobs()).toBe(before);
  return error;
}

const validJob = (overrides: Record<string, unknown> = {}) => ({
  integration_id: integrationId,
  sync_type: 'products',
  ...overrides,
});

describe('POST /api/sync/jobs with a bad body', () => {
  it('refuses an integration that does not exist with 404 INTEGRATION_NOT_FOUND', async () => {
    const missing = randomUUID();
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ integration_id: missing }) }),
      404,
      'INTEGRATION_NOT_FOUND',
    );
    expect(error.message).toContain(missing);
    expect(error.details.problems[0].path).toBe('integration_id');
  });

  it('refuses a disabled integration with 409 INTEGRATION_DISABLED, and accepts it again once enabled', async () => {
    const disabledId = await createSandboxIntegration(stack.url);
    const disabled = await gql(
      stack.url,
      `mutation($id: ID!) { disableIntegration(id: $id) { id enabled } }`,
      {
        id: disabledId,
      },
    );
    expect(disabled.errors).toBeUndefined();
    expect(disabled.data.disableIntegration).toEqual({ id: disabledId, enabled: false });

    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ integration_id: disabledId }) }),
      409,
      'INTEGRATION_DISABLED',
    );
    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/quick', { json: { integration_id: disabledId } }),
      409,
      'INTEGRATION_DISABLED',
    );

    const enabled = await gql(stack.url, `mutation($id: ID!) { enableIntegration(id: $id) { enabled } }`, {
      id: disabledId,
    });
    expect(enabled.data.enableIntegration.enabled).toBe(true);
    const res = await call('POST', '/api/sync/jobs', { json: validJob({ integration_id: disabledId }) });
    expect(res.status).toBe(201);
    expect(res.body.integration_id).toBe(disabledId);
  });

  it('refuses a malformed integration UUID with 400 VALIDATION_FAILED naming integration_id', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ integration_id: 'uuid-da-integracao' }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('integration_id');
    expect(error.message).toContain('integration_id');
  });

  it('refuses an unknown sync_type', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ sync_type: 'customers' }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('sync_type');
  });

  it('refuses an unknown priority', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ priority: 'critical' }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('priority');
  });

  it.each([0, 5000, 1.5, '100'])('refuses options.batch_size = %j', async (batchSize) => {
    const error = await rejectedWithoutWrites(
      () =>
        call('POST', '/api/sync/jobs', {
          json: validJob({ options: { full_sync: true, batch_size: batchSize } }),
        }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('options.batch_size');
  });

  it('refuses an unknown field in the body', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ queue: 'urgent' }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(error.details)).toContain('queue');
  });

  it('refuses an unknown field in options', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { json: validJob({ options: { full_sync: true, parallel: 4 } }) }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(error.details)).toContain('parallel');
    expect(error.details.problems[0].path).toMatch(/^options/);
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"products"'],
    ['null', 'null'],
  ])('refuses a JSON body that is %s', async (_, raw) => {
    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { raw, headers: { 'content-type': 'application/json' } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a body that is not JSON with 400 INVALID_JSON', async () => {
    await rejectedWithoutWrites(
      () =>
        call('POST', '/api/sync/jobs', {
          raw: `{"integration_id": "${integrationId}", "sync_type": "products",`,
          headers: { 'content-type': 'application/json' },
        }),
      400,
      'INVALID_JSON',
    );
    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { raw: '', headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID_JSON',
    );
  });

  it('refuses a body that is not sent as application/json with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = JSON.stringify(validJob());
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs', { raw: json, headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(error.details.received).toBe('text/plain');
    await rejectedWithoutWrites(
      () =>
        call('POST', '/api/sync/jobs', {
          raw: new URLSearchParams({ integration_id: integrationId, sync_type: 'products' }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses a 10 MB body with 413 PAYLOAD_TOO_LARGE (declared Content-Length)', async () => {
    const before = await countJobs();
    const huge = JSON.stringify(validJob({ padding: 'x'.repeat(10 * 1024 * 1024) }));
    let res: RestResult;
    try {
      res = await call('POST', '/api/sync/jobs', {
        raw: huge,
        headers: { 'content-type': 'application/json' },
      });
    } catch (err) {
      // The server answers before reading the body and closes the connection; a client still uploading may see
      // the socket close instead of the answer. Read the answer at the socket level, ignoring the upload's EPIPE.
      res = await postIgnoringUploadErrors('/api/sync/jobs', huge, err);
    }
    const error = expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.details.limit).toBe(stack.config.http.bodyLimitBytes);
    expect(await countJobs()).toBe(before);
  });

  it('refuses a 10 MB chunked body (no Content-Length) with 413 PAYLOAD_TOO_LARGE', async () => {
    const before = await countJobs();
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0)
          controller.enqueue(new TextEncoder().encode(`{"integration_id":"${integrationId}","p":"`));
        if (sent >= 10 * 1024 * 1024) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    let status: number | undefined;
    let body: any;
    let headers = new Headers();
    try {
      const res = await fetch(`${stack.url}/api/sync/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      status = res.status;
      headers = res.headers;
      body = await res.json();
    } catch (err) {
      // If the socket closed under the upload before the answer was read, fall back to a declared-length upload
      // of the same size, which the server answers the same way.
      const res = await postIgnoringUploadErrors('/api/sync/jobs', 'x'.repeat(10 * 1024 * 1024), err);
      ({ status, headers, body } = res);
    }
    expectError({ status, headers, body }, 413, 'PAYLOAD_TOO_LARGE');
    expect(await countJobs()).toBe(before);
  });
});

/** POSTs with node:http and resolves with the server's answer even if writing the rest of the body fails. */
function postIgnoringUploadErrors(path: string, payload: string, cause: unknown): Promise<RestResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, stack.url);
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      });
    });
    req.on('error', (err) => {
      // EPIPE/ECONNRESET after the answer arrived are expected: the server closes the connection on purpose.
      if (!answered)
        reject(new Error(`no answer to the oversized POST: ${String(err)} (fetch said: ${String(cause)})`));
    });
    req.end(payload);
  });
}

describe('GET and DELETE /api/sync/jobs/{job_id} with a bad id', () => {
  it.each(['GET', 'DELETE'])('%s with a malformed UUID is 400 VALIDATION_FAILED', async (method) => {
    const error = await rejectedWithoutWrites(
      () => call(method, '/api/sync/jobs/not-a-uuid'),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('id');
  });

  it.each(['GET', 'DELETE'])('%s with an unknown job id is 404 JOB_NOT_FOUND', async (method) => {
    const id = randomUUID();
    const error = await rejectedWithoutWrites(
      () => call(method, `/api/sync/jobs/${id}`),
      404,
      'JOB_NOT_FOUND',
    );
    expect(error.message).toContain(id);
  });

  it('a query parameter on a job URL is 400 UNKNOWN_PARAMETER', async () => {
    const error = await rejectedWithoutWrites(
      () => call('GET', `/api/sync/jobs/${randomUUID()}?verbose=1`),
      400,
      'UNKNOWN_PARAMETER',
    );
    expect(error.details.unknown).toEqual(['verbose']);
  });
});

describe('POST /api/sync/jobs/bulk with a bad body', () => {
  it('refuses more than the bulk limit (1001 jobs) and writes nothing', async () => {
    const jobs = Array.from({ length: stack.config.jobs.bulkLimit + 1 }, (_, i) =>
      validJob({ sync_type: ['products', 'inventory', 'orders', 'all'][i % 4] }),
    );
    expect(jobs).toHaveLength(1001);
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.limit).toBe(1000);
    expect(error.details.problems[0].path).toBe('jobs');
  });

  it('is all-or-nothing: one invalid entry among valid ones fails the call and writes no row', async () => {
    const other = await createSandboxIntegration(stack.url);
    const jobs = [
      validJob({ integration_id: other, sync_type: 'products' }),
      validJob({ integration_id: other, sync_type: 'inventory' }),
      validJob({ integration_id: other, sync_type: 'orders' }),
      validJob({ integration_id: other, sync_type: 'customers' }),
      validJob({ integration_id: other, sync_type: 'all' }),
    ];
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems.map((p: { path: string }) => p.path)).toEqual(['jobs[3].sync_type']);
    expect(error.message).toContain('jobs[3].sync_type');

    const rows = await stack.db
      .selectFrom('sync_jobs')
      .select('id')
      .where('integration_id', '=', other)
      .execute();
    expect(rows).toEqual([]);
  });

  it('is all-or-nothing for integrations too: one unknown integration fails the call', async () => {
    const missing = randomUUID();
    const jobs = [
      validJob({ sync_type: 'orders' }),
      validJob({ integration_id: missing, sync_type: 'orders' }),
    ];
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs } }),
      404,
      'INTEGRATION_NOT_FOUND',
    );
    expect(error.details.problems[0].path).toBe('jobs[1].integration_id');
  });

  it('lists every problem of every entry', async () => {
    const jobs = [validJob(), validJob({ priority: 'asap' }), validJob({ options: { batch_size: 0 } })];
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems.map((p: { path: string }) => p.path)).toEqual([
      'jobs[1].priority',
      'jobs[2].options.batch_size',
    ]);
  });

  it('refuses an empty bulk', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs: [] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('jobs');
  });

  it('refuses a bulk body that is not {"jobs": [...]}', async () => {
    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: [validJob()] }),
      400,
      'VALIDATION_FAILED',
    );
    await rejectedWithoutWrites(
      () => call('POST', '/api/sync/jobs/bulk', { json: { jobs: [validJob()], dry_run: true } }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('POST /api/sync/quick with a bad body', () => {
  it('refuses a sync type quick sync does not offer', async () => {
    const error = await rejectedWithoutWrites(
      () => call('POST', '/api/sync/quick', { json: { integration_id: integrationId, sync_types: ['all'] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('sync_types[0]');
  });

  it('refuses an unknown integration', async () => {
    await rejectedWithoutWrites(
      () =>
        call('POST', '/api/sync/quick', { json: { integration_id: randomUUID(), sync_types: ['products'] } }),
      404,
      'INTEGRATION_NOT_FOUND',
    );
  });
});

describe('GET /api/sync/jobs with bad query parameters', () => {
  it('refuses an unknown query parameter with 400 UNKNOWN_PARAMETER', async () => {
    const error = await rejectedWithoutWrites(
      () => call('GET', '/api/sync/jobs?status=running&sort=created_at'),
      400,
      'UNKNOWN_PARAMETER',
    );
    expect(error.details.unknown).toEqual(['sort']);
    expect(error.details.allowed).toEqual(expect.arrayContaining(['status', 'limit', 'offset']));
  });

  it('refuses an invalid status value', async () => {
    const error = await rejectedWithoutWrites(
      () => call('GET', '/api/sync/jobs?status=pending'),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toMatch(/^status/);
  });

  it.each(['0', '501', '-1', 'ten', '2.5'])('refuses limit=%s', async (limit) => {
    const error = await rejectedWithoutWrites(
      () => call('GET', `/api/sync/jobs?limit=${limit}`),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details.problems[0].path).toBe('limit');
  });

  it('refuses a negative offset and a repeated parameter', async () => {
    await rejectedWithoutWrites(() => call('GET', '/api/sync/jobs?offset=-5'), 400, 'VALIDATION_FAILED');
    await rejectedWithoutWrites(
      () => call('GET', '/api/sync/jobs?status=queued&status=running'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('accepts the boundaries limit=1 and limit=500', async () => {
    for (const limit of [1, 500]) {
      const res = await call('GET', `/api/sync/jobs?limit=${limit}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ limit, offset: 0 });
      expect(res.body.jobs.length).toBeLessThanOrEqual(limit);
    }
  });
});

describe('routes and methods', () => {
  it.each(['/api/nope', '/api/sync', '/api/sync/jobs/bulk/extra', `/api/sync/jobs/${randomUUID()}/attempts`])(
    'an unknown route under /api/ (%s) is 404 NOT_FOUND',
    async (path) => {
      await rejectedWithoutWrites(() => call('GET', path), 404, 'NOT_FOUND');
    },
  );

  it.each([
    ['PUT', '/api/sync/jobs', ['POST', 'GET']],
    ['PATCH', `/api/sync/jobs/${randomUUID()}`, ['GET', 'DELETE']],
    ['GET', '/api/sync/jobs/bulk', ['POST']],
    ['DELETE', '/api/sync/queue/stats', ['GET']],
    ['GET', '/api/sync/quick', ['POST']],
  ])('%s %s is 405 METHOD_NOT_ALLOWED with an Allow header', async (method, path, allowed) => {
    const before = await countJobs();
    const res = await call(method, path, method === 'PUT' ? { json: validJob() } : {});
    const error = expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(error.details.allowed).toEqual(allowed);
    expect(res.headers.get('allow')).toBe(allowed.join(', '));
    expect(await countJobs()).toBe(before);
  });
});

describe('dedup and idempotency over REST', () => {
  it('a second request for the same (integration, sync_type) while one waits returns it with 200 and deduplicated: true', async () => {
    const id = await createSandboxIntegration(stack.url);
    const before = await countJobs();
    const first = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'inventory' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'queued', sync_type: 'inventory', deduplicated: false });

    const second = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'inventory', options: { batch_size: 10 } },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, status: 'queued', deduplicated: true });
    expect(await countJobs()).toBe(before + 1);

    // Another type for the same integration is a different sync and is queued.
    const third = await call('POST', '/api/sync/jobs', { json: { integration_id: id, sync_type: 'orders' } });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.body.id);
    expect(await countJobs()).toBe(before + 2);
  });

  it('a waiting duplicate asked for at a higher priority is promoted, not duplicated', async () => {
    const id = await createSandboxIntegration(stack.url);
    const first = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'products', priority: 'low' },
    });
    expect(first.body).toMatchObject({ priority: 'low', queue: 'default' });
    const second = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'products', priority: 'urgent' },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      id: first.body.id,
      priority: 'urgent',
      queue: 'urgent',
      deduplicated: true,
    });
  });

  it('replaying an Idempotency-Key returns the original job, even after it was cancelled and with another body', async () => {
    const id = await createSandboxIntegration(stack.url);
    const key = `replay-${randomUUID()}`;
    const before = await countJobs();
    const first = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'orders', priority: 'high' },
      headers: { 'Idempotency-Key': key },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ idempotency_key: key, sync_type: 'orders', deduplicated: false });

    const replay = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'orders', priority: 'high' },
      headers: { 'Idempotency-Key': key },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: first.body.id, idempotency_key: key, deduplicated: true });

    // Once the job has left QUEUED, dedup no longer applies, but the key still does.
    const cancelled = await call('DELETE', `/api/sync/jobs/${first.body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const late = await call('POST', '/api/sync/jobs', {
      json: { integration_id: id, sync_type: 'inventory' },
      headers: { 'Idempotency-Key': key },
    });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({
      id: first.body.id,
      sync_type: 'orders',
      status: 'cancelled',
      deduplicated: true,
    });
    expect(await countJobs()).toBe(before + 1);

    // Without the key the same body is a new job.
    const fresh = await call('POST', '/api/sync/jobs', { json: { integration_id: id, sync_type: 'orders' } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
    expect(await countJobs()).toBe(before + 2);
  });
});

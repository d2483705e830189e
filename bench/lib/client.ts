/** The HTTP calls the bench makes to the API: GraphQL mutations, as a client would send them. */
import type { Pair } from './infra.ts';

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

let authorization: string | undefined;

/** The bench's API processes run in production, where API keys are required: every call carries this key. */
export function useBenchApiKey(key: string): void {
  authorization = `Bearer ${key}`;
}

export function benchAuthHeaders(): Record<string, string> {
  return authorization ? { authorization } : {};
}

export async function gql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...benchAuthHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLResponse<T>;
  if (!res.ok || body.errors?.length || !body.data) {
    throw new Error(
      `GraphQL call failed (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`,
    );
  }
  return body.data;
}

export const BULK_CREATE = `mutation Bulk($jobs: [CreateSyncJobInput!]!) {
  bulkCreateSyncJobs(jobs: $jobs) { createdCount deduplicatedCount jobs { id status } }
}`;

export const CREATE = `mutation Create($input: CreateSyncJobInput!) {
  createSyncJob(input: $input) { deduplicated job { id status queue createdAt } }
}`;

export interface BulkResult {
  ms: number;
  created: number;
  deduplicated: number;
  ids: string[];
}

/** One `bulkCreateSyncJobs` call; `ms` is the HTTP round trip. */
export async function bulkCreate(url: string, pairs: readonly Pair[]): Promise<BulkResult> {
  const jobs = pairs.map((p) => ({ integrationId: p.integrationId, syncType: p.syncType }));
  const started = performance.now();
  const data = await gql<{
    bulkCreateSyncJobs: { createdCount: number; deduplicatedCount: number; jobs: { id: string }[] };
  }>(url, BULK_CREATE, { jobs });
  const ms = performance.now() - started;
  const result = data.bulkCreateSyncJobs;
  return {
    ms,
    created: result.createdCount,
    deduplicated: result.deduplicatedCount,
    ids: result.jobs.map((j) => j.id),
  };
}

export async function createJob(
  url: string,
  input: Pair & { priority?: string },
): Promise<{ id: string; deduplicated: boolean; ms: number }> {
  const started = performance.now();
  const data = await gql<{ createSyncJob: { deduplicated: boolean; job: { id: string } } }>(url, CREATE, {
    input,
  });
  return {
    id: data.createSyncJob.job.id,
    deduplicated: data.createSyncJob.deduplicated,
    ms: performance.now() - started,
  };
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

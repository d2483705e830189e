/**
 * An example external consumer of job events: a small program that knows the server only through its GraphQL
 * API and the graphql-ws protocol (it imports nothing from this codebase).
 *
 *   npm run watch -- --job <id>              follow one job until it ends (exit 0 completed, 2 failed, 3 cancelled)
 *   npm run watch -- --integration <id>      every event of one integration's jobs, until Ctrl-C
 *   npm run watch                            every event of every job
 *   exit code 4: the server refused the key
 *   options: --url http://localhost:8000   --json (one JSON object per line)
 *            --key <API key> (a viewer key is enough; sent in the graphql-ws connectionParams, never in the URL)
 */
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const JOB_FIELDS =
  'id syncType status progress processedItems totalItems failedItems message version error { code message }';

interface Job {
  id: string;
  syncType: string;
  status: string;
  progress: number;
  processedItems: number;
  totalItems: number | null;
  failedItems: number;
  message: string | null;
  error: { code: string; message: string } | null;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8000' },
    job: { type: 'string' },
    integration: { type: 'string' },
    json: { type: 'boolean', default: false },
    key: { type: 'string' },
  },
});

function line(kind: string, job: Job): string {
  if (values.json) return JSON.stringify({ kind, ...job });
  const total = job.totalItems ?? '?';
  const error = job.error ? `  error=${job.error.code}: ${job.error.message}` : '';
  return `${new Date().toISOString()}  ${kind.padEnd(16)} ${job.id}  ${job.syncType.padEnd(9)} ${job.status.padEnd(9)} ${String(job.progress).padStart(5)}%  ${job.processedItems}/${total}${job.failedItems ? ` (${job.failedItems} failed)` : ''}${job.message ? `  ${job.message}` : ''}${error}`;
}

const client = createClient({
  url: `${values.url.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: values.key ? { authorization: `Bearer ${values.key}` } : {},
  retryAttempts: Infinity,
  // A refused key (4401 unauthenticated, 4403 forbidden) will be refused again: stop instead of retrying.
  shouldRetry: (event) => !isRefusal(event),
  on: {
    connected: () => console.error(`connected to ${values.url}/graphql`),
    closed: (event) => {
      if (isRefusal(event)) {
        const { code, reason } = event as { code: number; reason: string };
        console.error(`refused by the server (${code} ${reason}); pass a valid key with --key`);
        process.exit(4);
      }
      console.error('connection closed; reconnecting…');
    },
  },
});

function isRefusal(event: unknown): boolean {
  const code = (event as { code?: unknown } | null)?.code;
  return code === 4401 || code === 4403;
}

function exitCodeFor(status: string | undefined): number {
  return status === 'COMPLETED' ? 0 : status === 'FAILED' ? 2 : status === 'CANCELLED' ? 3 : 1;
}

if (values.job) {
  let last: Job | undefined;
  client.subscribe<{ jobUpdated: Job }>(
    {
      query: `subscription($id: ID!) { jobUpdated(id: $id) { ${JOB_FIELDS} } }`,
      variables: { id: values.job },
    },
    {
      next: ({ data, errors }) => {
        if (errors) console.error(JSON.stringify(errors));
        if (!data) return;
        console.log(line(last ? 'UPDATE' : 'SNAPSHOT', data.jobUpdated));
        last = data.jobUpdated;
      },
      error: (err) => {
        console.error(err instanceof Error ? err.message : JSON.stringify(err));
        process.exit(1);
      },
      // The server completes the subscription after the job's terminal state.
      complete: () => {
        void client.dispose();
        process.exit(exitCodeFor(last?.status));
      },
    },
  );
} else {
  client.subscribe<{ jobEvents: { kind: string; job: Job } }>(
    {
      query: `subscription($filter: JobEventFilter) { jobEvents(filter: $filter) { kind job { ${JOB_FIELDS} } } }`,
      variables: { filter: values.integration ? { integrationId: values.integration } : null },
    },
    {
      next: ({ data, errors }) => {
        if (errors) console.error(JSON.stringify(errors));
        if (data) console.log(line(data.jobEvents.kind, data.jobEvents.job));
      },
      error: (err) => {
        console.error(err instanceof Error ? err.message : JSON.stringify(err));
        process.exit(1);
      },
      complete: () => process.exit(0),
    },
  );
}

process.on('SIGINT', () => {
  void client.dispose();
  process.exit(0);
});

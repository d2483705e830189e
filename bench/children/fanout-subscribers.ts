/**
 * A child process holding the fan-out subscribers, so the publisher (the bench process) and the server under test
 * (API or the raw ws server) each have their own process. Driven over IPC:
 *   start {mode, url, jobIds, perJob} → ready {subscribers, ms}
 *   collect → samples {samples: [sentAt, latencyMs, ...], received, errors}
 *   close → closed, then exit.
 * A sample's latency is the receive time minus the send time embedded in the event's `message` (ms, sub-ms
 * precision, wall clock shared by every process on this machine).
 *
 * graphql mode: one graphql-ws client (its own WebSocket) per subscriber, `jobUpdated(id)`.
 * raw mode: one plain WebSocket per subscriber to bench/children/raw-ws-server.ts (`?job=<id>`), which relays the
 * Redis message as is.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

interface StartMessage {
  type: 'start';
  mode: 'graphql' | 'raw';
  /** ws:// URL: the API's /graphql, or the raw server. */
  url: string;
  jobIds: string[];
  perJob: number;
  /** `Bearer <key>` for the API (production requires keys). */
  authorization?: string;
}
type ParentMessage = StartMessage | { type: 'collect' } | { type: 'close' };

const SUBSCRIPTION = `subscription Watch($id: ID!) { jobUpdated(id: $id) { id version updatedAt message } }`;
const preciseNow = () => performance.timeOrigin + performance.now();

const samples: number[] = [];
let received = 0;
const errors: string[] = [];
const closers: (() => Promise<void>)[] = [];

function record(message: unknown): void {
  const sentAt = typeof message === 'string' ? Number(message) : Number.NaN;
  if (!Number.isFinite(sentAt) || sentAt < 1e12) return; // the initial snapshot carries no send time
  received++;
  samples.push(sentAt, preciseNow() - sentAt);
}

function send(message: unknown): void {
  process.send?.(message);
}

function subscribeGraphql(url: string, jobId: string, authorization?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let first = true;
    const client: Client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization } : {},
      onNonLazyError: (err) => reject(err instanceof Error ? err : new Error(String(err))),
    });
    client.subscribe<{ jobUpdated: { message: string | null } }>(
      { query: SUBSCRIPTION, variables: { id: jobId } },
      {
        next: (value) => {
          if (first) {
            first = false;
            resolve();
          }
          record(value.data?.jobUpdated.message);
        },
        error: (err) => {
          if (errors.length < 20)
            errors.push(String(err instanceof Error ? err.message : JSON.stringify(err)));
          reject(new Error(`subscription failed: ${JSON.stringify(err)}`));
        },
        complete: () => undefined,
      },
    );
    closers.push(() => Promise.resolve(client.dispose()));
  });
}

function subscribeRaw(url: string, jobId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}?job=${jobId}`);
    let ready = false;
    socket.on('message', (data: Buffer) => {
      if (!ready) {
        ready = true; // the server's "subscribed" acknowledgement
        resolve();
        return;
      }
      const event = JSON.parse(data.toString()) as { job: { message: string | null } };
      record(event.job.message);
    });
    socket.on('error', (err) => {
      if (errors.length < 20) errors.push(err.message);
      reject(err);
    });
    closers.push(
      () =>
        new Promise<void>((done) => {
          if (socket.readyState === WebSocket.CLOSED) return done();
          socket.once('close', () => done());
          socket.close();
        }),
    );
  });
}

async function start(message: StartMessage): Promise<void> {
  const started = performance.now();
  const targets = message.jobIds.flatMap((id) => Array.from({ length: message.perJob }, () => id));
  // Connect in waves, as a fleet of browsers would arrive, rather than 1,000 handshakes in one tick.
  const wave = 50;
  for (let i = 0; i < targets.length; i += wave) {
    await Promise.all(
      targets
        .slice(i, i + wave)
        .map((id) =>
          message.mode === 'graphql'
            ? subscribeGraphql(message.url, id, message.authorization)
            : subscribeRaw(message.url, id),
        ),
    );
  }
  send({ type: 'ready', subscribers: targets.length, ms: Math.round(performance.now() - started) });
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'start':
      start(message).catch((err: unknown) => send({ type: 'failed', error: String(err) }));
      break;
    case 'collect':
      send({ type: 'samples', samples, received, errors });
      break;
    case 'close':
      void Promise.allSettled(closers.map((close) => close())).then(() => {
        send({ type: 'closed' });
        process.disconnect?.();
        setTimeout(() => process.exit(0), 100).unref();
      });
      break;
  }
});
process.on('disconnect', () => process.exit(0));

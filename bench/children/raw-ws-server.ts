/**
 * The fan-out baseline: one Redis subscriber and a plain `ws` server that relays each job's Redis message, as is, to
 * the WebSockets that asked for that job (`?job=<id>`). No GraphQL, no per-subscriber state beyond the socket.
 * Prints `{"listening": <port>}` once it accepts connections. Env: REDIS_URL, REDIS_PREFIX.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { jobTopics } from '../../server/events/job-events.ts';

const prefix = process.env.REDIS_PREFIX ?? 'sync';
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', {
  maxRetriesPerRequest: null,
});
const byChannel = new Map<string, Set<WebSocket>>();

subscriber.on('message', (channel: string, message: string) => {
  const sockets = byChannel.get(channel);
  if (!sockets) return;
  for (const socket of sockets) socket.send(message);
});

const server = createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server });

wss.on('connection', (socket, req) => {
  const jobId = new URL(req.url ?? '/', 'http://x').searchParams.get('job');
  if (!jobId) {
    socket.close(4400, 'job missing');
    return;
  }
  const channel = jobTopics.jobUpdated(prefix, jobId);
  let sockets = byChannel.get(channel);
  const first = !sockets;
  if (!sockets) {
    sockets = new Set();
    byChannel.set(channel, sockets);
  }
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  const subscribed = first ? subscriber.subscribe(channel) : Promise.resolve();
  void subscribed.then(() => socket.send('subscribed'));
});

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: (server.address() as AddressInfo).port }));
});

process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close();
  subscriber.disconnect();
  process.exit(0);
});

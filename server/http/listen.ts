import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and resolves with the bound port and a URL a person can open (0.0.0.0 shown as localhost). */
export async function listen(
  server: Server,
  port: number,
  host: string,
): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { port: address.port, url: `http://${shownHost}:${address.port}` };
}

/**
 * Stops a GraphQL endpoint in the order that loses nothing: subscribers first (graphql-ws closes with 1001 "Going
 * away", SSE streams end), then the HTTP server, then the Redis connections their unsubscribes went through.
 */
export async function stopServing(parts: {
  server: Server;
  ws: { dispose(): unknown };
  api: { endSubscriptions(): void; close(): Promise<void> };
}): Promise<void> {
  parts.api.endSubscriptions();
  await parts.ws.dispose();
  await new Promise<void>((resolve) => {
    parts.server.close(() => resolve());
    parts.server.closeAllConnections();
  });
  await parts.api.close();
}

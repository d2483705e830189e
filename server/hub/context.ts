/** Narrows a handler context to a real platform's: the hub runs only for PlatformConnectors. */
import { isPlatformConnector } from '../connectors/index.ts';
import { PermanentError } from '../errors.ts';
import type { HandlerContext, SyncOptions } from '../handlers/handler.ts';
import type { HubContext } from './run.ts';

export function asHubContext(ctx: HandlerContext<SyncOptions>): HubContext {
  const { connector } = ctx;
  if (!isPlatformConnector(connector)) {
    throw new PermanentError('The hub syncs real platforms only', 'UNSUPPORTED_PLATFORM');
  }
  return { ...ctx, connector };
}

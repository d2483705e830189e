/**
 * Narrows a handler context to a real platform's (the hub runs only for PlatformConnectors), and defines a hub
 * resource by what each role does with it.
 */
import type { SyncResource } from '../../db/queries/watermark.ts';
import { isPlatformConnector } from '../connectors/index.ts';
import type { ChannelConnector, ErpConnector } from '../connectors/platform.ts';
import { PermanentError } from '../errors.ts';
import type { HandlerContext, SyncOptions } from '../handlers/handler.ts';
import type {
  ResourceDetails,
  ResourcePlan,
  ResourceSync,
  ResourceTally,
} from '../handlers/resource-sync.ts';
import { planIncremental, planPush, type HubContext } from './run.ts';

export function asHubContext(ctx: HandlerContext<SyncOptions>): HubContext {
  const { connector } = ctx;
  if (!isPlatformConnector(connector)) {
    throw new PermanentError('The hub syncs real platforms only', 'UNSUPPORTED_PLATFORM');
  }
  return { ...ctx, connector };
}

type Side<C extends ErpConnector | ChannelConnector> = (
  ctx: HubContext<C>,
  plan: ResourcePlan,
  onBatch: (tally: Readonly<ResourceTally>) => void,
) => Promise<ResourceDetails>;

/**
 * A resource of the real platforms: the role that is its source is read incrementally from its watermark; the
 * other role receives what changed in the hub since the last push.
 */
export function defineHubSync(spec: {
  resource: SyncResource;
  source: 'erp' | 'channel';
  erp: Side<ErpConnector>;
  channel: Side<ChannelConnector>;
}): ResourceSync {
  return {
    resource: spec.resource,
    plan(ctx) {
      const hub = asHubContext(ctx);
      return hub.connector.role === spec.source ? planIncremental(hub, spec.resource) : planPush();
    },
    execute(ctx, plan, onBatch) {
      const hub = asHubContext(ctx);
      const { connector } = hub;
      return connector.role === 'erp'
        ? spec.erp({ ...hub, connector }, plan, onBatch)
        : spec.channel({ ...hub, connector }, plan, onBatch);
    },
  };
}

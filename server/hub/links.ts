/**
 * Where each SKU of a batch lives on a channel: the stored link, or — for an unlinked SKU — what the channel finds
 * by SKU. One listing links it (auto-link, kept unless in a dry run); several make it ambiguous (an item error);
 * none means it has to be created (products) or cannot be pushed (stock: UNMAPPED_SKU).
 */
import { upsertLink } from '../../db/queries/hub.ts';
import type { ChannelConnector, ChannelRef } from '../connectors/platform.ts';
import type { HubContext, HubRun } from './run.ts';

export interface Resolved {
  ref: ChannelRef | null;
}

export async function resolveRefs(
  ctx: HubContext<ChannelConnector>,
  run: HubRun,
  batch: readonly { sku: string; link: ChannelRef | null }[],
  options: { unmapped: 'create' | 'fail' } = { unmapped: 'create' },
): Promise<Map<string, Resolved>> {
  const resolved = new Map<string, Resolved>();
  const unlinked: string[] = [];
  for (const item of batch) {
    if (item.link) resolved.set(item.sku, { ref: item.link });
    else unlinked.push(item.sku);
  }
  if (unlinked.length === 0) return resolved;
  const found = await ctx.connector.resolveSkus(unlinked, ctx.signal);
  for (const sku of unlinked) {
    const refs = found.get(sku) ?? [];
    if (refs.length > 1) {
      run.record({
        key: sku,
        action: 'link',
        after: { candidates: refs },
        outcome: 'failed',
        code: 'AMBIGUOUS_SKU',
        message: `${refs.length} listings on the channel carry this SKU`,
      });
    } else if (refs.length === 1) {
      const ref = refs[0]!;
      if (!run.dryRun) await upsertLink(ctx.db, ctx.integration.id, sku, ref);
      resolved.set(sku, { ref });
    } else if (options.unmapped === 'create') {
      resolved.set(sku, { ref: null });
    } else {
      run.record({
        key: sku,
        action: 'link',
        outcome: 'failed',
        code: 'UNMAPPED_SKU',
        message: 'No listing on the channel carries this SKU',
      });
    }
  }
  return resolved;
}

import { inventorySync } from './inventory.ts';
import { orderSync } from './orders.ts';
import { productSync } from './products.ts';
import { defineHandler, syncOptionsSchema, type JobResultSummary } from './handler.ts';
import {
  outcomeOf,
  progressMessage,
  summaryMessage,
  type ResourceDetails,
  type ResourcePlan,
  type ResourceSync,
} from './resource-sync.ts';

/** Products first, so the listings that stock is pushed to exist with their names and prices. */
const SEQUENCE: readonly ResourceSync[] = [productSync, inventorySync, orderSync];

/** Products, inventory and orders in sequence within one job, with one progress bar over all three. */
export const allHandler = defineHandler({
  type: 'ALL',
  options: syncOptionsSchema,
  async run(ctx): Promise<JobResultSummary> {
    // Counted up front so the job's total is known from its first progress update.
    const planned: { sync: ResourceSync; plan: ResourcePlan }[] = [];
    for (const sync of SEQUENCE) planned.push({ sync, plan: await sync.plan(ctx) });
    const total = planned.every(({ plan }) => plan.total !== null)
      ? planned.reduce((sum, { plan }) => sum + (plan.total ?? 0), 0)
      : null;
    ctx.progress({ processed: 0, total, failed: 0, message: 'Syncing products, inventory and orders' });

    let processedBefore = 0;
    let failedBefore = 0;
    const details: Record<string, ResourceDetails> = {};
    for (const { sync, plan } of planned) {
      const resourceDetails = await sync.execute(ctx, plan, (tally) =>
        ctx.progress({
          processed: processedBefore + tally.processed,
          total,
          failed: failedBefore + tally.failed,
          message: progressMessage(sync.resource, tally, plan.total),
        }),
      );
      details[sync.resource] = resourceDetails;
      processedBefore += resourceDetails.processed;
      failedBefore += resourceDetails.failed;
    }

    return {
      processed: processedBefore,
      total,
      failed: failedBefore,
      message: Object.values(details).map(summaryMessage).join('; '),
      details: { ...details, ...outcomeOf(ctx, failedBefore) },
    };
  },
});

/**
 * The item ledger in GraphQL: every item (SKU or order id) a job touched on a real platform, with the action, the
 * value before and after, the outcome and the error. `itemLedger` searches it; `SyncJob.items` lists a job's.
 */
import { LEDGER_OUTCOMES, type ItemLedgerEntry } from '../../db/types.ts';
import type { LedgerPage } from '../context.ts';
import { builder } from '../builder.ts';
import { compact } from '../input.ts';
import { SyncJobRef } from './sync-job.ts';

const OUTCOME_NAMES = { ok: 'OK', skipped: 'SKIPPED', failed: 'FAILED', dry_run: 'DRY_RUN' } as const;

export const LedgerOutcomeEnum = builder.enumType('LedgerOutcome', {
  description:
    'OK: written. SKIPPED: nothing to do (unchanged, stale, already there). FAILED: an item error. DRY_RUN: would be written.',
  values: Object.fromEntries(LEDGER_OUTCOMES.map((o) => [OUTCOME_NAMES[o], { value: o }])) as Record<
    (typeof OUTCOME_NAMES)[keyof typeof OUTCOME_NAMES],
    { value: (typeof LEDGER_OUTCOMES)[number] }
  >,
});

export const ItemLedgerEntryRef = builder.objectRef<ItemLedgerEntry>('ItemLedgerEntry').implement({
  description: 'What one job did to one item.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    jobId: t.id({ nullable: true, resolve: (e) => e.job_id }),
    integrationId: t.id({ resolve: (e) => e.integration_id }),
    resource: t.exposeString('resource', { description: 'products, inventory or orders.' }),
    key: t.exposeString('item_key', { description: 'The SKU, or the order id.' }),
    action: t.exposeString('action', {
      description: 'create, update, skip, set (stock), link, import, reserve, release, export.',
    }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.before ?? null }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.after ?? null }),
    outcome: t.field({ type: LedgerOutcomeEnum, resolve: (e) => e.outcome }),
    errorCode: t.exposeString('error_code', { nullable: true }),
    errorMessage: t.exposeString('error_message', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

const ItemLedgerPageInfoRef = builder.objectRef<LedgerPage>('ItemLedgerPageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const ItemLedgerEdgeRef = builder
  .objectRef<{ node: ItemLedgerEntry; cursor: string }>('ItemLedgerEdge')
  .implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: ItemLedgerEntryRef, resolve: (e) => e.node }),
    }),
  });

export const ItemLedgerConnectionRef = builder.objectRef<LedgerPage>('ItemLedgerConnection').implement({
  fields: (t) => ({
    pageInfo: t.field({ type: ItemLedgerPageInfoRef, resolve: (p) => p }),
    nodes: t.field({ type: [ItemLedgerEntryRef], resolve: (p) => p.entries }),
    edges: t.field({
      type: [ItemLedgerEdgeRef],
      resolve: (p) => p.entries.map((node, i) => ({ node, cursor: p.cursors[i] ?? '' })),
    }),
  }),
});

const ItemLedgerFilterInput = builder.inputType('ItemLedgerFilter', {
  fields: (t) => ({
    integrationId: t.id(),
    key: t.string({ description: 'A SKU or an order id.' }),
    sku: t.string({ description: 'Same as key.' }),
    jobId: t.id(),
    outcome: t.field({ type: LedgerOutcomeEnum }),
    resource: t.string({ description: 'products, inventory or orders.' }),
  }),
});

builder.queryFields((t) => ({
  itemLedger: t.field({
    type: ItemLedgerConnectionRef,
    description: 'Items jobs touched, newest first, with cursor pagination (first ≤ 1000).',
    args: {
      filter: t.arg({ type: ItemLedgerFilterInput }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: (_, args, ctx) =>
      ctx.jobs.itemLedger(args.filter ? compact(args.filter) : {}, {
        first: args.first ?? 50,
        after: args.after ?? null,
      }),
  }),
}));

builder.objectField(SyncJobRef, 'items', (t) =>
  t.field({
    type: ItemLedgerConnectionRef,
    description: 'The items this job touched (real platforms), newest first.',
    args: {
      outcome: t.arg({ type: LedgerOutcomeEnum }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: (job, args, ctx) =>
      ctx.jobs.itemLedger(
        { jobId: job.id, ...(args.outcome ? { outcome: args.outcome } : {}) },
        { first: args.first ?? 50, after: args.after ?? null },
      ),
  }),
);

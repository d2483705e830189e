import type { JobStatus } from '../../db/types.ts';
import { builder } from '../builder.ts';
import type { QueueFigures, QueueStats } from '../context.ts';
import { QueueNameEnum } from './enums.ts';

const QueueFiguresRef = builder.objectRef<QueueFigures>('QueueFigures').implement({
  fields: (t) => ({
    name: t.field({ type: QueueNameEnum, resolve: (q) => q.name }),
    waiting: t.exposeInt('waiting'),
    active: t.exposeInt('active'),
    delayed: t.exposeInt('delayed'),
    completedLastHour: t.exposeInt('completedLastHour'),
    failedLastHour: t.exposeInt('failedLastHour'),
    oldestWaitingSeconds: t.exposeInt('oldestWaitingSeconds', { nullable: true }),
  }),
});

const StatusTotalsRef = builder.objectRef<Record<JobStatus, number>>('StatusTotals').implement({
  fields: (t) => ({
    queued: t.int({ resolve: (s) => s.QUEUED }),
    running: t.int({ resolve: (s) => s.RUNNING }),
    completed: t.int({ resolve: (s) => s.COMPLETED }),
    failed: t.int({ resolve: (s) => s.FAILED }),
    cancelled: t.int({ resolve: (s) => s.CANCELLED }),
  }),
});

export const QueueStatsRef = builder.objectRef<QueueStats>('QueueStats').implement({
  fields: (t) => ({
    queues: t.field({ type: [QueueFiguresRef], resolve: (s) => s.queues }),
    totals: t.field({ type: StatusTotalsRef, resolve: (s) => s.totals }),
    generatedAt: t.field({ type: 'DateTime', resolve: (s) => s.generatedAt }),
  }),
});

builder.queryFields((t) => ({
  queueStats: t.field({ type: QueueStatsRef, resolve: (_, __, ctx) => ctx.jobs.stats() }),
}));

builder.subscriptionFields((t) => ({
  queueStatsUpdated: t.field({
    type: QueueStatsRef,
    description: 'The current queue stats, then each change, at most once a second.',
    subscribe: (_, __, ctx) => ctx.live.queueStats(),
    resolve: (stats) => stats,
  }),
}));

import type { JobStatus } from '../../db/types.ts';
import { builder } from '../builder.ts';
import type { QueueFigures, QueueStats, ThroughputPoint } from '../context.ts';
import { compact } from '../input.ts';
import { QueueNameEnum } from './enums.ts';

export const QueueFiguresRef = builder.objectRef<QueueFigures>('QueueFigures').implement({
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

const ThroughputPointRef = builder.objectRef<ThroughputPoint>('ThroughputPoint').implement({
  fields: (t) => ({
    minute: t.field({ type: 'DateTime', resolve: (p) => p.minute }),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
  }),
});

builder.queryFields((t) => ({
  queueStats: t.field({ type: QueueStatsRef, resolve: (_, __, ctx) => ctx.jobs.stats() }),
  throughput: t.field({
    type: [ThroughputPointRef],
    description:
      'Completed and failed jobs per minute, oldest first, every minute present (default: last hour).',
    args: { minutes: t.arg.int({ defaultValue: 60 }), queue: t.arg({ type: QueueNameEnum }) },
    resolve: (_, args, ctx) => ctx.jobs.throughput(compact(args)),
  }),
}));

builder.subscriptionFields((t) => ({
  queueStatsUpdated: t.field({
    type: QueueStatsRef,
    description: 'The current queue stats, then each change, at most once a second.',
    subscribe: (_, __, ctx) => ctx.live.queueStats(),
    resolve: (stats) => stats,
  }),
}));

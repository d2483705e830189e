import {
  JOB_EVENT_KINDS,
  JOB_STATUSES,
  JOB_TYPES,
  PLATFORMS,
  PRIORITIES,
  QUEUE_NAMES,
  SYNC_TYPES,
} from '../../db/types.ts';
import { builder } from '../builder.ts';

export const SyncTypeEnum = builder.enumType('SyncType', {
  description: 'What a sync job moves. ALL runs products, inventory and orders.',
  values: SYNC_TYPES,
});

export const JobTypeEnum = builder.enumType('JobType', {
  description: 'What a job does: a sync type, or CLEANUP (maintenance work that belongs to no integration).',
  values: JOB_TYPES,
});

export const PriorityEnum = builder.enumType('Priority', { values: PRIORITIES });

export const JobStatusEnum = builder.enumType('JobStatus', { values: JOB_STATUSES });

export const PlatformEnum = builder.enumType('Platform', {
  description: 'SANDBOX is a simulated store kept in Postgres, for trying everything without credentials.',
  values: PLATFORMS,
});

export const QueueNameEnum = builder.enumType('QueueName', {
  description: 'The eight queues; the value is the queue name used in Redis and the REST API.',
  values: Object.fromEntries(QUEUE_NAMES.map((q) => [q.toUpperCase(), { value: q }])) as {
    [K in (typeof QUEUE_NAMES)[number] as Uppercase<K>]: { value: K };
  },
});

export const JobEventKindEnum = builder.enumType('JobEventKind', {
  description: 'What changed. PROGRESS events are coalesced; every other kind is delivered.',
  values: JOB_EVENT_KINDS,
});

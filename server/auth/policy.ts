/**
 * The access policy: every operation of every surface (GraphQL over HTTP, SSE and graphql-ws; REST) names one
 * operation here, and this table alone says which role it needs and whether it is audited. GraphQL root fields
 * are mapped below; REST routes name their operation where they are declared.
 */
import { AppError } from '../errors.ts';
import { roleAtLeast, type Principal, type Role } from './principal.ts';

interface OperationRule {
  /** Minimum role; `public` needs no key even when auth is required. */
  role: Role | 'public';
}

export const OPERATIONS = {
  'server.info': { role: 'public' },
  'jobs.read': { role: 'viewer' },
  'jobs.subscribe': { role: 'viewer' },
  'queues.read': { role: 'viewer' },
  'workers.read': { role: 'viewer' },
  'integrations.read': { role: 'viewer' },
  'schedules.read': { role: 'viewer' },
  'jobs.create': { role: 'operator' },
  'jobs.bulkCreate': { role: 'operator' },
  'jobs.quickSync': { role: 'operator' },
  'jobs.cancel': { role: 'operator' },
  'jobs.retry': { role: 'operator' },
  'jobs.reschedule': { role: 'operator' },
  'queues.pause': { role: 'operator' },
  'queues.resume': { role: 'operator' },
  'queues.purge': { role: 'operator' },
  'integrations.write': { role: 'admin' },
  'schedules.write': { role: 'admin' },
  'apiKeys.read': { role: 'admin' },
  'apiKeys.write': { role: 'admin' },
  'audit.read': { role: 'admin' },
} as const satisfies Record<string, OperationRule>;

export type Operation = keyof typeof OPERATIONS;

/** Root fields whose operation is not listed need admin (a field added without a rule is closed, not open). */
export const UNLISTED_FIELD_OPERATION: Operation = 'apiKeys.write';

/** GraphQL root field (`Type.field`) → operation. */
export const GRAPHQL_FIELD_OPERATIONS: Record<string, Operation> = {
  'Query.__typename': 'server.info',
  'Query.serverInfo': 'server.info',
  'Query.__schema': 'jobs.read',
  'Query.__type': 'jobs.read',
  'Query.me': 'jobs.read',
  'Query.job': 'jobs.read',
  'Query.jobs': 'jobs.read',
  'Query.throughput': 'jobs.read',
  'Query.itemLedger': 'jobs.read',
  'Query.queueStats': 'queues.read',
  'Query.queuePerformance': 'queues.read',
  'Query.workers': 'workers.read',
  'Query.integration': 'integrations.read',
  'Query.integrations': 'integrations.read',
  'Query.platforms': 'integrations.read',
  'Mutation.resumeIntegration': 'integrations.write',
  'Query.schedule': 'schedules.read',
  'Query.schedules': 'schedules.read',
  'Query.apiKeys': 'apiKeys.read',
  'Query.auditLog': 'audit.read',
  'Mutation.__typename': 'server.info',
  'Mutation.createSyncJob': 'jobs.create',
  'Mutation.bulkCreateSyncJobs': 'jobs.bulkCreate',
  'Mutation.quickSync': 'jobs.quickSync',
  'Mutation.cancelSyncJob': 'jobs.cancel',
  'Mutation.retrySyncJob': 'jobs.retry',
  'Mutation.rescheduleSyncJob': 'jobs.reschedule',
  'Mutation.pauseQueue': 'queues.pause',
  'Mutation.resumeQueue': 'queues.resume',
  'Mutation.purgeQueue': 'queues.purge',
  'Mutation.createIntegration': 'integrations.write',
  'Mutation.updateIntegration': 'integrations.write',
  'Mutation.enableIntegration': 'integrations.write',
  'Mutation.disableIntegration': 'integrations.write',
  'Mutation.deleteIntegration': 'integrations.write',
  'Mutation.createSchedule': 'schedules.write',
  'Mutation.updateSchedule': 'schedules.write',
  'Mutation.pauseSchedule': 'schedules.write',
  'Mutation.resumeSchedule': 'schedules.write',
  'Mutation.deleteSchedule': 'schedules.write',
  'Mutation.createApiKey': 'apiKeys.write',
  'Mutation.revokeApiKey': 'apiKeys.write',
  'Subscription.__typename': 'server.info',
  'Subscription.jobUpdated': 'jobs.subscribe',
  'Subscription.jobEvents': 'jobs.subscribe',
  'Subscription.queueStatsUpdated': 'queues.read',
  'Subscription.workersUpdated': 'workers.read',
};

export function operationOfField(typeName: string, fieldName: string): Operation {
  return GRAPHQL_FIELD_OPERATIONS[`${typeName}.${fieldName}`] ?? UNLISTED_FIELD_OPERATION;
}

/**
 * Service methods that change something worth recording, by service: `<service>.<method>` is the audit action.
 * The audit entry is written after the call succeeds, from the same request's principal.
 */
export const AUDITED_METHODS: Record<string, readonly string[]> = {
  jobs: ['cancel', 'retry', 'reschedule'],
  monitor: ['pauseQueue', 'resumeQueue', 'purgeQueue'],
  integrations: ['create', 'update', 'setEnabled', 'delete', 'resume'],
  schedules: ['create', 'update', 'pause', 'resume', 'delete'],
  access: ['createApiKey', 'revokeApiKey'],
};

/** Whether API auth is on: `required` refuses requests without a valid key; `off` lets anyone in as "local". */
export type AuthMode = 'required' | 'off';

/**
 * Throws UNAUTHENTICATED (no key while auth is required) or FORBIDDEN (role too low); returns otherwise. A key
 * given while auth is off still only gets its role.
 */
export function authorize(principal: Principal | null, operation: Operation, mode: AuthMode): void {
  const rule: OperationRule = OPERATIONS[operation];
  if (rule.role === 'public') return;
  if (!principal) {
    if (mode === 'off') return;
    throw new AppError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <key>');
  }
  if (!roleAtLeast(principal.role, rule.role)) {
    throw new AppError(
      'FORBIDDEN',
      `${operation} needs the ${rule.role} role; key "${principal.name}" is ${principal.role}`,
      { operation, required: rule.role, role: principal.role },
    );
  }
}

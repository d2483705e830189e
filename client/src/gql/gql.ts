/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query IntegrationNames {\n    integrations {\n      id\n      name\n      enabled\n    }\n  }\n": typeof types.IntegrationNamesDocument,
    "\n  fragment IntegrationCard on Integration {\n    id\n    name\n    platform\n    enabled\n    hasCredentials\n    settings\n    createdAt\n    pausedAt\n    pauseCode\n    pauseReason\n    pausedUntil\n    lastJobs {\n      id\n      syncType\n      status\n      finishedAt\n      createdAt\n      error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.IntegrationCardFragmentDoc,
    "\n  query Integrations {\n    integrations {\n      ...IntegrationCard\n    }\n  }\n": typeof types.IntegrationsDocument,
    "\n  mutation CreateIntegration($input: CreateIntegrationInput!) {\n    createIntegration(input: $input) {\n      ...IntegrationCard\n    }\n  }\n": typeof types.CreateIntegrationDocument,
    "\n  mutation EnableIntegration($id: ID!) {\n    enableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n": typeof types.EnableIntegrationDocument,
    "\n  mutation DisableIntegration($id: ID!) {\n    disableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n": typeof types.DisableIntegrationDocument,
    "\n  query Platforms {\n    platforms {\n      platform\n      label\n      role\n      available\n      settingsFields {\n        ...PlatformFieldParts\n      }\n      credentialFields {\n        ...PlatformFieldParts\n      }\n    }\n  }\n": typeof types.PlatformsDocument,
    "\n  fragment PlatformFieldParts on PlatformField {\n    path\n    label\n    type\n    required\n    secret\n    defaultValue\n    options\n    minimum\n    maximum\n  }\n": typeof types.PlatformFieldPartsFragmentDoc,
    "\n  mutation UpdateIntegration($id: ID!, $input: UpdateIntegrationInput!) {\n    updateIntegration(id: $id, input: $input) {\n      ...IntegrationCard\n    }\n  }\n": typeof types.UpdateIntegrationDocument,
    "\n  mutation ResumeIntegration($id: ID!) {\n    resumeIntegration(id: $id) {\n      ...IntegrationCard\n    }\n  }\n": typeof types.ResumeIntegrationDocument,
    "\n  fragment JobRow on SyncJob {\n    id\n    integrationId\n    syncType\n    priority\n    queue\n    status\n    progress\n    processedItems\n    totalItems\n    failedItems\n    message\n    attempts\n    maxAttempts\n    cancelRequestedAt\n    createdAt\n    startedAt\n    finishedAt\n    runAt\n    version\n    error {\n      code\n      message\n    }\n  }\n": typeof types.JobRowFragmentDoc,
    "\n  query Jobs($filter: SyncJobFilter, $first: Int, $after: String) {\n    jobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.JobsDocument,
    "\n  subscription JobEvents($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.JobEventsDocument,
    "\n  subscription JobFinished($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        id\n        integrationId\n        status\n        version\n      }\n    }\n  }\n": typeof types.JobFinishedDocument,
    "\n  query FindJob($id: ID!) {\n    job(id: $id) {\n      id\n    }\n  }\n": typeof types.FindJobDocument,
    "\n  fragment JobDetail on SyncJob {\n    ...JobRow\n    origin\n    idempotencyKey\n    workerId\n    retryOf\n    updatedAt\n    result\n    options {\n      fullSync\n      batchSize\n      dryRun\n    }\n    error {\n      code\n      message\n      attempt\n      retryable\n    }\n    integration {\n      id\n      name\n      platform\n    }\n    events {\n      kind\n      status\n      attempt\n      message\n      progress\n      processedItems\n      totalItems\n      failedItems\n      at\n      error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.JobDetailFragmentDoc,
    "\n  query JobDetail($id: ID!) {\n    job(id: $id) {\n      ...JobDetail\n    }\n  }\n": typeof types.JobDetailDocument,
    "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobDetail\n    }\n  }\n": typeof types.JobUpdatedDocument,
    "\n  mutation CreateSyncJob($input: CreateSyncJobInput!) {\n    createSyncJob(input: $input) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.CreateSyncJobDocument,
    "\n  mutation BulkCreateSyncJobs($jobs: [CreateSyncJobInput!]!) {\n    bulkCreateSyncJobs(jobs: $jobs) {\n      createdCount\n      deduplicatedCount\n      jobs {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.BulkCreateSyncJobsDocument,
    "\n  mutation QuickSync($integrationId: ID!, $syncTypes: [SyncType!]) {\n    quickSync(integrationId: $integrationId, syncTypes: $syncTypes) {\n      results {\n        deduplicated\n        job {\n          ...JobRow\n        }\n      }\n    }\n  }\n": typeof types.QuickSyncDocument,
    "\n  mutation CancelSyncJob($id: ID!) {\n    cancelSyncJob(id: $id) {\n      ...JobRow\n    }\n  }\n": typeof types.CancelSyncJobDocument,
    "\n  mutation RetrySyncJob($id: ID!) {\n    retrySyncJob(id: $id) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.RetrySyncJobDocument,
    "\n  mutation RescheduleSyncJob($id: ID!, $runAt: DateTime!) {\n    rescheduleSyncJob(id: $id, runAt: $runAt) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": typeof types.RescheduleSyncJobDocument,
    "\n  fragment LedgerEntryRow on ItemLedgerEntry {\n    id\n    jobId\n    integrationId\n    resource\n    key\n    action\n    before\n    after\n    outcome\n    errorCode\n    errorMessage\n    at\n  }\n": typeof types.LedgerEntryRowFragmentDoc,
    "\n  query JobItems($id: ID!, $outcome: LedgerOutcome, $first: Int, $after: String) {\n    job(id: $id) {\n      id\n      items(outcome: $outcome, first: $first, after: $after) {\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...LedgerEntryRow\n        }\n      }\n    }\n  }\n": typeof types.JobItemsDocument,
    "\n  query ItemLedger($filter: ItemLedgerFilter, $first: Int, $after: String) {\n    itemLedger(filter: $filter, first: $first, after: $after) {\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...LedgerEntryRow\n      }\n    }\n  }\n": typeof types.ItemLedgerDocument,
    "\n  fragment WorkerFields on Worker {\n    id\n    host\n    pid\n    version\n    state\n    online\n    processed\n    succeeded\n    failed\n    startedAt\n    lastSeenAt\n    queues {\n      name\n      concurrency\n      paused\n    }\n    running {\n      jobId\n      queue\n      attempt\n      startedAt\n    }\n  }\n": typeof types.WorkerFieldsFragmentDoc,
    "\n  query Workers {\n    workers {\n      ...WorkerFields\n    }\n  }\n": typeof types.WorkersDocument,
    "\n  subscription WorkersUpdated {\n    workersUpdated {\n      ...WorkerFields\n    }\n  }\n": typeof types.WorkersUpdatedDocument,
    "\n  query QueueMonitor($minutes: Int, $chartMinutes: Int) {\n    queueStats {\n      ...QueueStatsFields\n    }\n    queuePerformance(minutes: $minutes) {\n      queue\n      windowMinutes\n      failureRate\n      throughput {\n        minutes\n        completed\n        failed\n        completedPerMinute\n        failedPerMinute\n        failureRate\n      }\n      waitSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n      runSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n    }\n    urgent: throughput(minutes: $chartMinutes, queue: URGENT) {\n      ...ThroughputPointFields\n    }\n    highPriority: throughput(minutes: $chartMinutes, queue: HIGH_PRIORITY) {\n      ...ThroughputPointFields\n    }\n    syncProducts: throughput(minutes: $chartMinutes, queue: SYNC_PRODUCTS) {\n      ...ThroughputPointFields\n    }\n    syncInventory: throughput(minutes: $chartMinutes, queue: SYNC_INVENTORY) {\n      ...ThroughputPointFields\n    }\n    syncOrders: throughput(minutes: $chartMinutes, queue: SYNC_ORDERS) {\n      ...ThroughputPointFields\n    }\n    syncBulk: throughput(minutes: $chartMinutes, queue: SYNC_BULK) {\n      ...ThroughputPointFields\n    }\n    default: throughput(minutes: $chartMinutes, queue: DEFAULT) {\n      ...ThroughputPointFields\n    }\n    maintenance: throughput(minutes: $chartMinutes, queue: MAINTENANCE) {\n      ...ThroughputPointFields\n    }\n  }\n": typeof types.QueueMonitorDocument,
    "\n  fragment ThroughputPointFields on ThroughputPoint {\n    minute\n    completed\n    failed\n  }\n": typeof types.ThroughputPointFieldsFragmentDoc,
    "\n  mutation PauseQueue($name: QueueName!) {\n    pauseQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n": typeof types.PauseQueueDocument,
    "\n  mutation ResumeQueue($name: QueueName!) {\n    resumeQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n": typeof types.ResumeQueueDocument,
    "\n  mutation PurgeQueue($name: QueueName!) {\n    purgeQueue(name: $name) {\n      queue\n      purged\n      jobIds\n    }\n  }\n": typeof types.PurgeQueueDocument,
    "\n  fragment MonitorJob on SyncJob {\n    ...JobRow\n    workerId\n  }\n": typeof types.MonitorJobFragmentDoc,
    "\n  query RunningJobs($first: Int) {\n    jobs(filter: { status: [RUNNING] }, first: $first) {\n      totalCount\n      nodes {\n        ...MonitorJob\n      }\n    }\n  }\n": typeof types.RunningJobsDocument,
    "\n  subscription MonitorJobEvents {\n    jobEvents {\n      kind\n      job {\n        ...MonitorJob\n      }\n    }\n  }\n": typeof types.MonitorJobEventsDocument,
    "\n  fragment QueueStatsFields on QueueStats {\n    generatedAt\n    totals {\n      queued\n      running\n      completed\n      failed\n      cancelled\n    }\n    queues {\n      name\n      waiting\n      active\n      delayed\n      paused\n      completedLastHour\n      failedLastHour\n      oldestWaitingSeconds\n    }\n  }\n": typeof types.QueueStatsFieldsFragmentDoc,
    "\n  query QueueStats {\n    queueStats {\n      ...QueueStatsFields\n    }\n  }\n": typeof types.QueueStatsDocument,
    "\n  subscription QueueStatsUpdated {\n    queueStatsUpdated {\n      ...QueueStatsFields\n    }\n  }\n": typeof types.QueueStatsUpdatedDocument,
    "\n  query Throughput($minutes: Int) {\n    throughput(minutes: $minutes) {\n      minute\n      completed\n      failed\n    }\n  }\n": typeof types.ThroughputDocument,
};
const documents: Documents = {
    "\n  query IntegrationNames {\n    integrations {\n      id\n      name\n      enabled\n    }\n  }\n": types.IntegrationNamesDocument,
    "\n  fragment IntegrationCard on Integration {\n    id\n    name\n    platform\n    enabled\n    hasCredentials\n    settings\n    createdAt\n    pausedAt\n    pauseCode\n    pauseReason\n    pausedUntil\n    lastJobs {\n      id\n      syncType\n      status\n      finishedAt\n      createdAt\n      error {\n        code\n        message\n      }\n    }\n  }\n": types.IntegrationCardFragmentDoc,
    "\n  query Integrations {\n    integrations {\n      ...IntegrationCard\n    }\n  }\n": types.IntegrationsDocument,
    "\n  mutation CreateIntegration($input: CreateIntegrationInput!) {\n    createIntegration(input: $input) {\n      ...IntegrationCard\n    }\n  }\n": types.CreateIntegrationDocument,
    "\n  mutation EnableIntegration($id: ID!) {\n    enableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n": types.EnableIntegrationDocument,
    "\n  mutation DisableIntegration($id: ID!) {\n    disableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n": types.DisableIntegrationDocument,
    "\n  query Platforms {\n    platforms {\n      platform\n      label\n      role\n      available\n      settingsFields {\n        ...PlatformFieldParts\n      }\n      credentialFields {\n        ...PlatformFieldParts\n      }\n    }\n  }\n": types.PlatformsDocument,
    "\n  fragment PlatformFieldParts on PlatformField {\n    path\n    label\n    type\n    required\n    secret\n    defaultValue\n    options\n    minimum\n    maximum\n  }\n": types.PlatformFieldPartsFragmentDoc,
    "\n  mutation UpdateIntegration($id: ID!, $input: UpdateIntegrationInput!) {\n    updateIntegration(id: $id, input: $input) {\n      ...IntegrationCard\n    }\n  }\n": types.UpdateIntegrationDocument,
    "\n  mutation ResumeIntegration($id: ID!) {\n    resumeIntegration(id: $id) {\n      ...IntegrationCard\n    }\n  }\n": types.ResumeIntegrationDocument,
    "\n  fragment JobRow on SyncJob {\n    id\n    integrationId\n    syncType\n    priority\n    queue\n    status\n    progress\n    processedItems\n    totalItems\n    failedItems\n    message\n    attempts\n    maxAttempts\n    cancelRequestedAt\n    createdAt\n    startedAt\n    finishedAt\n    runAt\n    version\n    error {\n      code\n      message\n    }\n  }\n": types.JobRowFragmentDoc,
    "\n  query Jobs($filter: SyncJobFilter, $first: Int, $after: String) {\n    jobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...JobRow\n      }\n    }\n  }\n": types.JobsDocument,
    "\n  subscription JobEvents($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        ...JobRow\n      }\n    }\n  }\n": types.JobEventsDocument,
    "\n  subscription JobFinished($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        id\n        integrationId\n        status\n        version\n      }\n    }\n  }\n": types.JobFinishedDocument,
    "\n  query FindJob($id: ID!) {\n    job(id: $id) {\n      id\n    }\n  }\n": types.FindJobDocument,
    "\n  fragment JobDetail on SyncJob {\n    ...JobRow\n    origin\n    idempotencyKey\n    workerId\n    retryOf\n    updatedAt\n    result\n    options {\n      fullSync\n      batchSize\n      dryRun\n    }\n    error {\n      code\n      message\n      attempt\n      retryable\n    }\n    integration {\n      id\n      name\n      platform\n    }\n    events {\n      kind\n      status\n      attempt\n      message\n      progress\n      processedItems\n      totalItems\n      failedItems\n      at\n      error {\n        code\n        message\n      }\n    }\n  }\n": types.JobDetailFragmentDoc,
    "\n  query JobDetail($id: ID!) {\n    job(id: $id) {\n      ...JobDetail\n    }\n  }\n": types.JobDetailDocument,
    "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobDetail\n    }\n  }\n": types.JobUpdatedDocument,
    "\n  mutation CreateSyncJob($input: CreateSyncJobInput!) {\n    createSyncJob(input: $input) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": types.CreateSyncJobDocument,
    "\n  mutation BulkCreateSyncJobs($jobs: [CreateSyncJobInput!]!) {\n    bulkCreateSyncJobs(jobs: $jobs) {\n      createdCount\n      deduplicatedCount\n      jobs {\n        ...JobRow\n      }\n    }\n  }\n": types.BulkCreateSyncJobsDocument,
    "\n  mutation QuickSync($integrationId: ID!, $syncTypes: [SyncType!]) {\n    quickSync(integrationId: $integrationId, syncTypes: $syncTypes) {\n      results {\n        deduplicated\n        job {\n          ...JobRow\n        }\n      }\n    }\n  }\n": types.QuickSyncDocument,
    "\n  mutation CancelSyncJob($id: ID!) {\n    cancelSyncJob(id: $id) {\n      ...JobRow\n    }\n  }\n": types.CancelSyncJobDocument,
    "\n  mutation RetrySyncJob($id: ID!) {\n    retrySyncJob(id: $id) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": types.RetrySyncJobDocument,
    "\n  mutation RescheduleSyncJob($id: ID!, $runAt: DateTime!) {\n    rescheduleSyncJob(id: $id, runAt: $runAt) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n": types.RescheduleSyncJobDocument,
    "\n  fragment LedgerEntryRow on ItemLedgerEntry {\n    id\n    jobId\n    integrationId\n    resource\n    key\n    action\n    before\n    after\n    outcome\n    errorCode\n    errorMessage\n    at\n  }\n": types.LedgerEntryRowFragmentDoc,
    "\n  query JobItems($id: ID!, $outcome: LedgerOutcome, $first: Int, $after: String) {\n    job(id: $id) {\n      id\n      items(outcome: $outcome, first: $first, after: $after) {\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...LedgerEntryRow\n        }\n      }\n    }\n  }\n": types.JobItemsDocument,
    "\n  query ItemLedger($filter: ItemLedgerFilter, $first: Int, $after: String) {\n    itemLedger(filter: $filter, first: $first, after: $after) {\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...LedgerEntryRow\n      }\n    }\n  }\n": types.ItemLedgerDocument,
    "\n  fragment WorkerFields on Worker {\n    id\n    host\n    pid\n    version\n    state\n    online\n    processed\n    succeeded\n    failed\n    startedAt\n    lastSeenAt\n    queues {\n      name\n      concurrency\n      paused\n    }\n    running {\n      jobId\n      queue\n      attempt\n      startedAt\n    }\n  }\n": types.WorkerFieldsFragmentDoc,
    "\n  query Workers {\n    workers {\n      ...WorkerFields\n    }\n  }\n": types.WorkersDocument,
    "\n  subscription WorkersUpdated {\n    workersUpdated {\n      ...WorkerFields\n    }\n  }\n": types.WorkersUpdatedDocument,
    "\n  query QueueMonitor($minutes: Int, $chartMinutes: Int) {\n    queueStats {\n      ...QueueStatsFields\n    }\n    queuePerformance(minutes: $minutes) {\n      queue\n      windowMinutes\n      failureRate\n      throughput {\n        minutes\n        completed\n        failed\n        completedPerMinute\n        failedPerMinute\n        failureRate\n      }\n      waitSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n      runSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n    }\n    urgent: throughput(minutes: $chartMinutes, queue: URGENT) {\n      ...ThroughputPointFields\n    }\n    highPriority: throughput(minutes: $chartMinutes, queue: HIGH_PRIORITY) {\n      ...ThroughputPointFields\n    }\n    syncProducts: throughput(minutes: $chartMinutes, queue: SYNC_PRODUCTS) {\n      ...ThroughputPointFields\n    }\n    syncInventory: throughput(minutes: $chartMinutes, queue: SYNC_INVENTORY) {\n      ...ThroughputPointFields\n    }\n    syncOrders: throughput(minutes: $chartMinutes, queue: SYNC_ORDERS) {\n      ...ThroughputPointFields\n    }\n    syncBulk: throughput(minutes: $chartMinutes, queue: SYNC_BULK) {\n      ...ThroughputPointFields\n    }\n    default: throughput(minutes: $chartMinutes, queue: DEFAULT) {\n      ...ThroughputPointFields\n    }\n    maintenance: throughput(minutes: $chartMinutes, queue: MAINTENANCE) {\n      ...ThroughputPointFields\n    }\n  }\n": types.QueueMonitorDocument,
    "\n  fragment ThroughputPointFields on ThroughputPoint {\n    minute\n    completed\n    failed\n  }\n": types.ThroughputPointFieldsFragmentDoc,
    "\n  mutation PauseQueue($name: QueueName!) {\n    pauseQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n": types.PauseQueueDocument,
    "\n  mutation ResumeQueue($name: QueueName!) {\n    resumeQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n": types.ResumeQueueDocument,
    "\n  mutation PurgeQueue($name: QueueName!) {\n    purgeQueue(name: $name) {\n      queue\n      purged\n      jobIds\n    }\n  }\n": types.PurgeQueueDocument,
    "\n  fragment MonitorJob on SyncJob {\n    ...JobRow\n    workerId\n  }\n": types.MonitorJobFragmentDoc,
    "\n  query RunningJobs($first: Int) {\n    jobs(filter: { status: [RUNNING] }, first: $first) {\n      totalCount\n      nodes {\n        ...MonitorJob\n      }\n    }\n  }\n": types.RunningJobsDocument,
    "\n  subscription MonitorJobEvents {\n    jobEvents {\n      kind\n      job {\n        ...MonitorJob\n      }\n    }\n  }\n": types.MonitorJobEventsDocument,
    "\n  fragment QueueStatsFields on QueueStats {\n    generatedAt\n    totals {\n      queued\n      running\n      completed\n      failed\n      cancelled\n    }\n    queues {\n      name\n      waiting\n      active\n      delayed\n      paused\n      completedLastHour\n      failedLastHour\n      oldestWaitingSeconds\n    }\n  }\n": types.QueueStatsFieldsFragmentDoc,
    "\n  query QueueStats {\n    queueStats {\n      ...QueueStatsFields\n    }\n  }\n": types.QueueStatsDocument,
    "\n  subscription QueueStatsUpdated {\n    queueStatsUpdated {\n      ...QueueStatsFields\n    }\n  }\n": types.QueueStatsUpdatedDocument,
    "\n  query Throughput($minutes: Int) {\n    throughput(minutes: $minutes) {\n      minute\n      completed\n      failed\n    }\n  }\n": types.ThroughputDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationNames {\n    integrations {\n      id\n      name\n      enabled\n    }\n  }\n"): (typeof documents)["\n  query IntegrationNames {\n    integrations {\n      id\n      name\n      enabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IntegrationCard on Integration {\n    id\n    name\n    platform\n    enabled\n    hasCredentials\n    settings\n    createdAt\n    pausedAt\n    pauseCode\n    pauseReason\n    pausedUntil\n    lastJobs {\n      id\n      syncType\n      status\n      finishedAt\n      createdAt\n      error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment IntegrationCard on Integration {\n    id\n    name\n    platform\n    enabled\n    hasCredentials\n    settings\n    createdAt\n    pausedAt\n    pauseCode\n    pauseReason\n    pausedUntil\n    lastJobs {\n      id\n      syncType\n      status\n      finishedAt\n      createdAt\n      error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Integrations {\n    integrations {\n      ...IntegrationCard\n    }\n  }\n"): (typeof documents)["\n  query Integrations {\n    integrations {\n      ...IntegrationCard\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateIntegration($input: CreateIntegrationInput!) {\n    createIntegration(input: $input) {\n      ...IntegrationCard\n    }\n  }\n"): (typeof documents)["\n  mutation CreateIntegration($input: CreateIntegrationInput!) {\n    createIntegration(input: $input) {\n      ...IntegrationCard\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableIntegration($id: ID!) {\n    enableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n"): (typeof documents)["\n  mutation EnableIntegration($id: ID!) {\n    enableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableIntegration($id: ID!) {\n    disableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n"): (typeof documents)["\n  mutation DisableIntegration($id: ID!) {\n    disableIntegration(id: $id) {\n      id\n      enabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Platforms {\n    platforms {\n      platform\n      label\n      role\n      available\n      settingsFields {\n        ...PlatformFieldParts\n      }\n      credentialFields {\n        ...PlatformFieldParts\n      }\n    }\n  }\n"): (typeof documents)["\n  query Platforms {\n    platforms {\n      platform\n      label\n      role\n      available\n      settingsFields {\n        ...PlatformFieldParts\n      }\n      credentialFields {\n        ...PlatformFieldParts\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlatformFieldParts on PlatformField {\n    path\n    label\n    type\n    required\n    secret\n    defaultValue\n    options\n    minimum\n    maximum\n  }\n"): (typeof documents)["\n  fragment PlatformFieldParts on PlatformField {\n    path\n    label\n    type\n    required\n    secret\n    defaultValue\n    options\n    minimum\n    maximum\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateIntegration($id: ID!, $input: UpdateIntegrationInput!) {\n    updateIntegration(id: $id, input: $input) {\n      ...IntegrationCard\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateIntegration($id: ID!, $input: UpdateIntegrationInput!) {\n    updateIntegration(id: $id, input: $input) {\n      ...IntegrationCard\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeIntegration($id: ID!) {\n    resumeIntegration(id: $id) {\n      ...IntegrationCard\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeIntegration($id: ID!) {\n    resumeIntegration(id: $id) {\n      ...IntegrationCard\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobRow on SyncJob {\n    id\n    integrationId\n    syncType\n    priority\n    queue\n    status\n    progress\n    processedItems\n    totalItems\n    failedItems\n    message\n    attempts\n    maxAttempts\n    cancelRequestedAt\n    createdAt\n    startedAt\n    finishedAt\n    runAt\n    version\n    error {\n      code\n      message\n    }\n  }\n"): (typeof documents)["\n  fragment JobRow on SyncJob {\n    id\n    integrationId\n    syncType\n    priority\n    queue\n    status\n    progress\n    processedItems\n    totalItems\n    failedItems\n    message\n    attempts\n    maxAttempts\n    cancelRequestedAt\n    createdAt\n    startedAt\n    finishedAt\n    runAt\n    version\n    error {\n      code\n      message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Jobs($filter: SyncJobFilter, $first: Int, $after: String) {\n    jobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  query Jobs($filter: SyncJobFilter, $first: Int, $after: String) {\n    jobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobEvents($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobEvents($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobFinished($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        id\n        integrationId\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobFinished($filter: JobEventFilter) {\n    jobEvents(filter: $filter) {\n      kind\n      at\n      job {\n        id\n        integrationId\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindJob($id: ID!) {\n    job(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query FindJob($id: ID!) {\n    job(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobDetail on SyncJob {\n    ...JobRow\n    origin\n    idempotencyKey\n    workerId\n    retryOf\n    updatedAt\n    result\n    options {\n      fullSync\n      batchSize\n      dryRun\n    }\n    error {\n      code\n      message\n      attempt\n      retryable\n    }\n    integration {\n      id\n      name\n      platform\n    }\n    events {\n      kind\n      status\n      attempt\n      message\n      progress\n      processedItems\n      totalItems\n      failedItems\n      at\n      error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment JobDetail on SyncJob {\n    ...JobRow\n    origin\n    idempotencyKey\n    workerId\n    retryOf\n    updatedAt\n    result\n    options {\n      fullSync\n      batchSize\n      dryRun\n    }\n    error {\n      code\n      message\n      attempt\n      retryable\n    }\n    integration {\n      id\n      name\n      platform\n    }\n    events {\n      kind\n      status\n      attempt\n      message\n      progress\n      processedItems\n      totalItems\n      failedItems\n      at\n      error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobDetail($id: ID!) {\n    job(id: $id) {\n      ...JobDetail\n    }\n  }\n"): (typeof documents)["\n  query JobDetail($id: ID!) {\n    job(id: $id) {\n      ...JobDetail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobDetail\n    }\n  }\n"): (typeof documents)["\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobDetail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSyncJob($input: CreateSyncJobInput!) {\n    createSyncJob(input: $input) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSyncJob($input: CreateSyncJobInput!) {\n    createSyncJob(input: $input) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BulkCreateSyncJobs($jobs: [CreateSyncJobInput!]!) {\n    bulkCreateSyncJobs(jobs: $jobs) {\n      createdCount\n      deduplicatedCount\n      jobs {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation BulkCreateSyncJobs($jobs: [CreateSyncJobInput!]!) {\n    bulkCreateSyncJobs(jobs: $jobs) {\n      createdCount\n      deduplicatedCount\n      jobs {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation QuickSync($integrationId: ID!, $syncTypes: [SyncType!]) {\n    quickSync(integrationId: $integrationId, syncTypes: $syncTypes) {\n      results {\n        deduplicated\n        job {\n          ...JobRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation QuickSync($integrationId: ID!, $syncTypes: [SyncType!]) {\n    quickSync(integrationId: $integrationId, syncTypes: $syncTypes) {\n      results {\n        deduplicated\n        job {\n          ...JobRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelSyncJob($id: ID!) {\n    cancelSyncJob(id: $id) {\n      ...JobRow\n    }\n  }\n"): (typeof documents)["\n  mutation CancelSyncJob($id: ID!) {\n    cancelSyncJob(id: $id) {\n      ...JobRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetrySyncJob($id: ID!) {\n    retrySyncJob(id: $id) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RetrySyncJob($id: ID!) {\n    retrySyncJob(id: $id) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RescheduleSyncJob($id: ID!, $runAt: DateTime!) {\n    rescheduleSyncJob(id: $id, runAt: $runAt) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RescheduleSyncJob($id: ID!, $runAt: DateTime!) {\n    rescheduleSyncJob(id: $id, runAt: $runAt) {\n      deduplicated\n      job {\n        ...JobRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LedgerEntryRow on ItemLedgerEntry {\n    id\n    jobId\n    integrationId\n    resource\n    key\n    action\n    before\n    after\n    outcome\n    errorCode\n    errorMessage\n    at\n  }\n"): (typeof documents)["\n  fragment LedgerEntryRow on ItemLedgerEntry {\n    id\n    jobId\n    integrationId\n    resource\n    key\n    action\n    before\n    after\n    outcome\n    errorCode\n    errorMessage\n    at\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobItems($id: ID!, $outcome: LedgerOutcome, $first: Int, $after: String) {\n    job(id: $id) {\n      id\n      items(outcome: $outcome, first: $first, after: $after) {\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...LedgerEntryRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query JobItems($id: ID!, $outcome: LedgerOutcome, $first: Int, $after: String) {\n    job(id: $id) {\n      id\n      items(outcome: $outcome, first: $first, after: $after) {\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...LedgerEntryRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ItemLedger($filter: ItemLedgerFilter, $first: Int, $after: String) {\n    itemLedger(filter: $filter, first: $first, after: $after) {\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...LedgerEntryRow\n      }\n    }\n  }\n"): (typeof documents)["\n  query ItemLedger($filter: ItemLedgerFilter, $first: Int, $after: String) {\n    itemLedger(filter: $filter, first: $first, after: $after) {\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      nodes {\n        ...LedgerEntryRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkerFields on Worker {\n    id\n    host\n    pid\n    version\n    state\n    online\n    processed\n    succeeded\n    failed\n    startedAt\n    lastSeenAt\n    queues {\n      name\n      concurrency\n      paused\n    }\n    running {\n      jobId\n      queue\n      attempt\n      startedAt\n    }\n  }\n"): (typeof documents)["\n  fragment WorkerFields on Worker {\n    id\n    host\n    pid\n    version\n    state\n    online\n    processed\n    succeeded\n    failed\n    startedAt\n    lastSeenAt\n    queues {\n      name\n      concurrency\n      paused\n    }\n    running {\n      jobId\n      queue\n      attempt\n      startedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workers {\n    workers {\n      ...WorkerFields\n    }\n  }\n"): (typeof documents)["\n  query Workers {\n    workers {\n      ...WorkerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkersUpdated {\n    workersUpdated {\n      ...WorkerFields\n    }\n  }\n"): (typeof documents)["\n  subscription WorkersUpdated {\n    workersUpdated {\n      ...WorkerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QueueMonitor($minutes: Int, $chartMinutes: Int) {\n    queueStats {\n      ...QueueStatsFields\n    }\n    queuePerformance(minutes: $minutes) {\n      queue\n      windowMinutes\n      failureRate\n      throughput {\n        minutes\n        completed\n        failed\n        completedPerMinute\n        failedPerMinute\n        failureRate\n      }\n      waitSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n      runSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n    }\n    urgent: throughput(minutes: $chartMinutes, queue: URGENT) {\n      ...ThroughputPointFields\n    }\n    highPriority: throughput(minutes: $chartMinutes, queue: HIGH_PRIORITY) {\n      ...ThroughputPointFields\n    }\n    syncProducts: throughput(minutes: $chartMinutes, queue: SYNC_PRODUCTS) {\n      ...ThroughputPointFields\n    }\n    syncInventory: throughput(minutes: $chartMinutes, queue: SYNC_INVENTORY) {\n      ...ThroughputPointFields\n    }\n    syncOrders: throughput(minutes: $chartMinutes, queue: SYNC_ORDERS) {\n      ...ThroughputPointFields\n    }\n    syncBulk: throughput(minutes: $chartMinutes, queue: SYNC_BULK) {\n      ...ThroughputPointFields\n    }\n    default: throughput(minutes: $chartMinutes, queue: DEFAULT) {\n      ...ThroughputPointFields\n    }\n    maintenance: throughput(minutes: $chartMinutes, queue: MAINTENANCE) {\n      ...ThroughputPointFields\n    }\n  }\n"): (typeof documents)["\n  query QueueMonitor($minutes: Int, $chartMinutes: Int) {\n    queueStats {\n      ...QueueStatsFields\n    }\n    queuePerformance(minutes: $minutes) {\n      queue\n      windowMinutes\n      failureRate\n      throughput {\n        minutes\n        completed\n        failed\n        completedPerMinute\n        failedPerMinute\n        failureRate\n      }\n      waitSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n      runSeconds {\n        count\n        p50\n        p95\n        p99\n      }\n    }\n    urgent: throughput(minutes: $chartMinutes, queue: URGENT) {\n      ...ThroughputPointFields\n    }\n    highPriority: throughput(minutes: $chartMinutes, queue: HIGH_PRIORITY) {\n      ...ThroughputPointFields\n    }\n    syncProducts: throughput(minutes: $chartMinutes, queue: SYNC_PRODUCTS) {\n      ...ThroughputPointFields\n    }\n    syncInventory: throughput(minutes: $chartMinutes, queue: SYNC_INVENTORY) {\n      ...ThroughputPointFields\n    }\n    syncOrders: throughput(minutes: $chartMinutes, queue: SYNC_ORDERS) {\n      ...ThroughputPointFields\n    }\n    syncBulk: throughput(minutes: $chartMinutes, queue: SYNC_BULK) {\n      ...ThroughputPointFields\n    }\n    default: throughput(minutes: $chartMinutes, queue: DEFAULT) {\n      ...ThroughputPointFields\n    }\n    maintenance: throughput(minutes: $chartMinutes, queue: MAINTENANCE) {\n      ...ThroughputPointFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ThroughputPointFields on ThroughputPoint {\n    minute\n    completed\n    failed\n  }\n"): (typeof documents)["\n  fragment ThroughputPointFields on ThroughputPoint {\n    minute\n    completed\n    failed\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PauseQueue($name: QueueName!) {\n    pauseQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n"): (typeof documents)["\n  mutation PauseQueue($name: QueueName!) {\n    pauseQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeQueue($name: QueueName!) {\n    resumeQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeQueue($name: QueueName!) {\n    resumeQueue(name: $name) {\n      name\n      paused\n      changedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PurgeQueue($name: QueueName!) {\n    purgeQueue(name: $name) {\n      queue\n      purged\n      jobIds\n    }\n  }\n"): (typeof documents)["\n  mutation PurgeQueue($name: QueueName!) {\n    purgeQueue(name: $name) {\n      queue\n      purged\n      jobIds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MonitorJob on SyncJob {\n    ...JobRow\n    workerId\n  }\n"): (typeof documents)["\n  fragment MonitorJob on SyncJob {\n    ...JobRow\n    workerId\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunningJobs($first: Int) {\n    jobs(filter: { status: [RUNNING] }, first: $first) {\n      totalCount\n      nodes {\n        ...MonitorJob\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunningJobs($first: Int) {\n    jobs(filter: { status: [RUNNING] }, first: $first) {\n      totalCount\n      nodes {\n        ...MonitorJob\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MonitorJobEvents {\n    jobEvents {\n      kind\n      job {\n        ...MonitorJob\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription MonitorJobEvents {\n    jobEvents {\n      kind\n      job {\n        ...MonitorJob\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QueueStatsFields on QueueStats {\n    generatedAt\n    totals {\n      queued\n      running\n      completed\n      failed\n      cancelled\n    }\n    queues {\n      name\n      waiting\n      active\n      delayed\n      paused\n      completedLastHour\n      failedLastHour\n      oldestWaitingSeconds\n    }\n  }\n"): (typeof documents)["\n  fragment QueueStatsFields on QueueStats {\n    generatedAt\n    totals {\n      queued\n      running\n      completed\n      failed\n      cancelled\n    }\n    queues {\n      name\n      waiting\n      active\n      delayed\n      paused\n      completedLastHour\n      failedLastHour\n      oldestWaitingSeconds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QueueStats {\n    queueStats {\n      ...QueueStatsFields\n    }\n  }\n"): (typeof documents)["\n  query QueueStats {\n    queueStats {\n      ...QueueStatsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription QueueStatsUpdated {\n    queueStatsUpdated {\n      ...QueueStatsFields\n    }\n  }\n"): (typeof documents)["\n  subscription QueueStatsUpdated {\n    queueStatsUpdated {\n      ...QueueStatsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Throughput($minutes: Int) {\n    throughput(minutes: $minutes) {\n      minute\n      completed\n      failed\n    }\n  }\n"): (typeof documents)["\n  query Throughput($minutes: Int) {\n    throughput(minutes: $minutes) {\n      minute\n      completed\n      failed\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
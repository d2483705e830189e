/** Every job operation the dashboard sends; `npm run codegen` types them from schema/schema.graphql. */
import { graphql } from '../gql/index.ts';

/** What a row of the jobs table shows; also what job events carry, so a row can be replaced by an event. */
export const JobRowFields = graphql(`
  fragment JobRow on SyncJob {
    id
    integrationId
    syncType
    priority
    queue
    status
    progress
    processedItems
    totalItems
    failedItems
    message
    attempts
    maxAttempts
    cancelRequestedAt
    createdAt
    startedAt
    finishedAt
    runAt
    version
    error {
      code
      message
    }
  }
`);

export const JobsQuery = graphql(`
  query Jobs($filter: SyncJobFilter, $first: Int, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        ...JobRow
      }
    }
  }
`);

export const JobEventsSubscription = graphql(`
  subscription JobEvents($filter: JobEventFilter) {
    jobEvents(filter: $filter) {
      kind
      at
      job {
        ...JobRow
      }
    }
  }
`);

/** Finished-job events only: cheap triggers for views that re-read aggregates (throughput, last syncs). */
export const JobFinishedSubscription = graphql(`
  subscription JobFinished($filter: JobEventFilter) {
    jobEvents(filter: $filter) {
      kind
      at
      job {
        id
        integrationId
        status
        version
      }
    }
  }
`);

export const FindJobQuery = graphql(`
  query FindJob($id: ID!) {
    job(id: $id) {
      id
    }
  }
`);

export const JobDetailFields = graphql(`
  fragment JobDetail on SyncJob {
    ...JobRow
    origin
    idempotencyKey
    workerId
    retryOf
    updatedAt
    result
    options {
      fullSync
      batchSize
      dryRun
    }
    error {
      code
      message
      attempt
      retryable
    }
    integration {
      id
      name
      platform
    }
    events {
      kind
      status
      attempt
      message
      progress
      processedItems
      totalItems
      failedItems
      at
      error {
        code
        message
      }
    }
  }
`);

export const JobDetailQuery = graphql(`
  query JobDetail($id: ID!) {
    job(id: $id) {
      ...JobDetail
    }
  }
`);

export const JobUpdatedSubscription = graphql(`
  subscription JobUpdated($id: ID!) {
    jobUpdated(id: $id) {
      ...JobDetail
    }
  }
`);

export const CreateSyncJobMutation = graphql(`
  mutation CreateSyncJob($input: CreateSyncJobInput!) {
    createSyncJob(input: $input) {
      deduplicated
      job {
        ...JobRow
      }
    }
  }
`);

export const BulkCreateSyncJobsMutation = graphql(`
  mutation BulkCreateSyncJobs($jobs: [CreateSyncJobInput!]!) {
    bulkCreateSyncJobs(jobs: $jobs) {
      createdCount
      deduplicatedCount
      jobs {
        ...JobRow
      }
    }
  }
`);

export const QuickSyncMutation = graphql(`
  mutation QuickSync($integrationId: ID!, $syncTypes: [SyncType!]) {
    quickSync(integrationId: $integrationId, syncTypes: $syncTypes) {
      results {
        deduplicated
        job {
          ...JobRow
        }
      }
    }
  }
`);

export const CancelSyncJobMutation = graphql(`
  mutation CancelSyncJob($id: ID!) {
    cancelSyncJob(id: $id) {
      ...JobRow
    }
  }
`);

export const RetrySyncJobMutation = graphql(`
  mutation RetrySyncJob($id: ID!) {
    retrySyncJob(id: $id) {
      deduplicated
      job {
        ...JobRow
      }
    }
  }
`);

export const RescheduleSyncJobMutation = graphql(`
  mutation RescheduleSyncJob($id: ID!, $runAt: DateTime!) {
    rescheduleSyncJob(id: $id, runAt: $runAt) {
      deduplicated
      job {
        ...JobRow
      }
    }
  }
`);

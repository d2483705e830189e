/** The Monitor screen's operations: workers, queue performance and control, running jobs. */
import { graphql } from '../gql/index.ts';

export const WorkerFields = graphql(`
  fragment WorkerFields on Worker {
    id
    host
    pid
    version
    state
    online
    processed
    succeeded
    failed
    startedAt
    lastSeenAt
    queues {
      name
      concurrency
      paused
    }
    running {
      jobId
      queue
      attempt
      startedAt
    }
  }
`);

export const WorkersQuery = graphql(`
  query Workers {
    workers {
      ...WorkerFields
    }
  }
`);

export const WorkersSubscription = graphql(`
  subscription WorkersUpdated {
    workersUpdated {
      ...WorkerFields
    }
  }
`);

/**
 * Everything per queue that is read rather than pushed, in one request: the figures (which also carry `paused`,
 * a change `queueStatsUpdated` does not announce), performance over the window, and jobs finished per minute for
 * each queue's chart (one alias per queue; QUEUE_CHART_KEYS checks every queue has one).
 */
export const QueueMonitorQuery = graphql(`
  query QueueMonitor($minutes: Int, $chartMinutes: Int) {
    queueStats {
      ...QueueStatsFields
    }
    queuePerformance(minutes: $minutes) {
      queue
      windowMinutes
      failureRate
      throughput {
        minutes
        completed
        failed
        completedPerMinute
        failedPerMinute
        failureRate
      }
      waitSeconds {
        count
        p50
        p95
        p99
      }
      runSeconds {
        count
        p50
        p95
        p99
      }
    }
    urgent: throughput(minutes: $chartMinutes, queue: URGENT) {
      ...ThroughputPointFields
    }
    highPriority: throughput(minutes: $chartMinutes, queue: HIGH_PRIORITY) {
      ...ThroughputPointFields
    }
    syncProducts: throughput(minutes: $chartMinutes, queue: SYNC_PRODUCTS) {
      ...ThroughputPointFields
    }
    syncInventory: throughput(minutes: $chartMinutes, queue: SYNC_INVENTORY) {
      ...ThroughputPointFields
    }
    syncOrders: throughput(minutes: $chartMinutes, queue: SYNC_ORDERS) {
      ...ThroughputPointFields
    }
    syncBulk: throughput(minutes: $chartMinutes, queue: SYNC_BULK) {
      ...ThroughputPointFields
    }
    default: throughput(minutes: $chartMinutes, queue: DEFAULT) {
      ...ThroughputPointFields
    }
    maintenance: throughput(minutes: $chartMinutes, queue: MAINTENANCE) {
      ...ThroughputPointFields
    }
  }
`);

export const ThroughputPointFields = graphql(`
  fragment ThroughputPointFields on ThroughputPoint {
    minute
    completed
    failed
  }
`);

export const PauseQueueMutation = graphql(`
  mutation PauseQueue($name: QueueName!) {
    pauseQueue(name: $name) {
      name
      paused
      changedAt
    }
  }
`);

export const ResumeQueueMutation = graphql(`
  mutation ResumeQueue($name: QueueName!) {
    resumeQueue(name: $name) {
      name
      paused
      changedAt
    }
  }
`);

export const PurgeQueueMutation = graphql(`
  mutation PurgeQueue($name: QueueName!) {
    purgeQueue(name: $name) {
      queue
      purged
      jobIds
    }
  }
`);

/** A running job as the monitor lists it: the jobs table's row, plus which worker holds it. */
export const MonitorJobFields = graphql(`
  fragment MonitorJob on SyncJob {
    ...JobRow
    workerId
  }
`);

export const RunningJobsQuery = graphql(`
  query RunningJobs($first: Int) {
    jobs(filter: { status: [RUNNING] }, first: $first) {
      totalCount
      nodes {
        ...MonitorJob
      }
    }
  }
`);

/** Every job event (a job leaving RUNNING matters as much as one entering it). */
export const MonitorJobEventsSubscription = graphql(`
  subscription MonitorJobEvents {
    jobEvents {
      kind
      job {
        ...MonitorJob
      }
    }
  }
`);

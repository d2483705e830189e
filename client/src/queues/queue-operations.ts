import { graphql } from '../gql/index.ts';

export const QueueStatsFields = graphql(`
  fragment QueueStatsFields on QueueStats {
    generatedAt
    totals {
      queued
      running
      completed
      failed
      cancelled
    }
    queues {
      name
      waiting
      active
      delayed
      paused
      completedLastHour
      failedLastHour
      oldestWaitingSeconds
    }
  }
`);

export const QueueStatsQuery = graphql(`
  query QueueStats {
    queueStats {
      ...QueueStatsFields
    }
  }
`);

export const QueueStatsSubscription = graphql(`
  subscription QueueStatsUpdated {
    queueStatsUpdated {
      ...QueueStatsFields
    }
  }
`);

export const ThroughputQuery = graphql(`
  query Throughput($minutes: Int) {
    throughput(minutes: $minutes) {
      minute
      completed
      failed
    }
  }
`);

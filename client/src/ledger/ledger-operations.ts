/** The item ledger as the dashboard reads it: one job's items, and a search across jobs. */
import { graphql } from '../gql/index.ts';

export const LedgerEntryFields = graphql(`
  fragment LedgerEntryRow on ItemLedgerEntry {
    id
    jobId
    integrationId
    resource
    key
    action
    before
    after
    outcome
    errorCode
    errorMessage
    at
  }
`);

export const JobItemsQuery = graphql(`
  query JobItems($id: ID!, $outcome: LedgerOutcome, $first: Int, $after: String) {
    job(id: $id) {
      id
      items(outcome: $outcome, first: $first, after: $after) {
        pageInfo {
          endCursor
          hasNextPage
        }
        nodes {
          ...LedgerEntryRow
        }
      }
    }
  }
`);

export const ItemLedgerQuery = graphql(`
  query ItemLedger($filter: ItemLedgerFilter, $first: Int, $after: String) {
    itemLedger(filter: $filter, first: $first, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        ...LedgerEntryRow
      }
    }
  }
`);

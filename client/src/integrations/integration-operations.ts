import { graphql } from '../gql/index.ts';

/** Names for pickers and table cells. */
export const IntegrationNamesQuery = graphql(`
  query IntegrationNames {
    integrations {
      id
      name
      enabled
    }
  }
`);

export const IntegrationCardFields = graphql(`
  fragment IntegrationCard on Integration {
    id
    name
    platform
    enabled
    hasCredentials
    settings
    createdAt
    pausedAt
    pauseCode
    pauseReason
    pausedUntil
    lastJobs {
      id
      syncType
      status
      finishedAt
      createdAt
      error {
        code
        message
      }
    }
  }
`);

export const IntegrationsQuery = graphql(`
  query Integrations {
    integrations {
      ...IntegrationCard
    }
  }
`);

export const CreateIntegrationMutation = graphql(`
  mutation CreateIntegration($input: CreateIntegrationInput!) {
    createIntegration(input: $input) {
      ...IntegrationCard
    }
  }
`);

export const EnableIntegrationMutation = graphql(`
  mutation EnableIntegration($id: ID!) {
    enableIntegration(id: $id) {
      id
      enabled
    }
  }
`);

export const DisableIntegrationMutation = graphql(`
  mutation DisableIntegration($id: ID!) {
    disableIntegration(id: $id) {
      id
      enabled
    }
  }
`);

/** What each platform's form needs: label, role, and the fields of its settings and credentials. */
export const PlatformsQuery = graphql(`
  query Platforms {
    platforms {
      platform
      label
      role
      available
      settingsFields {
        ...PlatformFieldParts
      }
      credentialFields {
        ...PlatformFieldParts
      }
    }
  }
`);

export const PlatformFieldFields = graphql(`
  fragment PlatformFieldParts on PlatformField {
    path
    label
    type
    required
    secret
    defaultValue
    options
    minimum
    maximum
  }
`);

/** Settings are merged into the stored ones; credentials, when present, replace the stored ones. */
export const UpdateIntegrationMutation = graphql(`
  mutation UpdateIntegration($id: ID!, $input: UpdateIntegrationInput!) {
    updateIntegration(id: $id, input: $input) {
      ...IntegrationCard
    }
  }
`);

/** Closes the integration's circuit breaker: its waiting jobs run again. */
export const ResumeIntegrationMutation = graphql(`
  mutation ResumeIntegration($id: ID!) {
    resumeIntegration(id: $id) {
      ...IntegrationCard
    }
  }
`);

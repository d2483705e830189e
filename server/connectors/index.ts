import type { Database } from '../../db/database.ts';
import type { Integration } from '../../db/types.ts';
import { PermanentError } from '../errors.ts';
import type { Connector } from './connector.ts';
import { createPlatformConnector, type ConnectorDeps, type PlatformRun } from './context.ts';
import type { PlatformConnector } from './platform.ts';
import { getPlatformDefinition } from './registry.ts';
import { createSandboxConnector } from './sandbox.ts';

export type { ConnectorDeps } from './context.ts';

/** The sandbox connector of an integration. Throws PermanentError for any other platform or bad settings. */
export function createConnector(db: Database, integration: Integration): Connector {
  const platform: string = integration.platform;
  switch (platform) {
    case 'SANDBOX':
      return createSandboxConnector(db, integration);
    default:
      throw new PermanentError(`No connector for platform ${platform}`, 'UNSUPPORTED_PLATFORM');
  }
}

/** Whether a connector is a real platform's (the hub path) rather than the sandbox's. */
export function isPlatformConnector(
  connector: Connector | PlatformConnector,
): connector is PlatformConnector {
  return 'role' in connector;
}

/**
 * The connector for a job run on an integration: the sandbox's, or a real platform's from the registry. A real
 * platform needs the process's connector dependencies; a paused integration or bad credentials throw a
 * deferring error (the job waits), an unknown platform a PermanentError.
 */
export async function openConnector(
  db: Database,
  deps: ConnectorDeps | undefined,
  integration: Integration,
  run: PlatformRun,
): Promise<Connector | PlatformConnector> {
  if (integration.platform === 'SANDBOX') return createSandboxConnector(db, integration);
  const definition = getPlatformDefinition(integration.platform);
  if (!definition) {
    throw new PermanentError(`No connector for platform ${integration.platform}`, 'UNSUPPORTED_PLATFORM');
  }
  if (!deps) {
    throw new PermanentError(
      `This process cannot reach ${definition.label}: no platform dependencies were given`,
      'UNSUPPORTED_PLATFORM',
    );
  }
  return createPlatformConnector(deps, definition, integration, run);
}

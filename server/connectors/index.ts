import type { Database } from '../../db/database.ts';
import type { Integration } from '../../db/types.ts';
import { PermanentError } from '../errors.ts';
import type { Connector } from './connector.ts';
import { createSandboxConnector } from './sandbox.ts';

/** The connector for an integration's platform. Throws PermanentError for an unknown platform or bad settings. */
export function createConnector(db: Database, integration: Integration): Connector {
  const platform: string = integration.platform;
  switch (platform) {
    case 'SANDBOX':
      return createSandboxConnector(db, integration);
    default:
      throw new PermanentError(`No connector for platform ${platform}`, 'UNSUPPORTED_PLATFORM');
  }
}

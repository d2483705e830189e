import { applyAuthStartupOrExit } from '../auth/startup-guard.ts';
import { startApiRole } from './roles.ts';
import { loadConfigOrExit, onShutdown, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = applyAuthStartupOrExit(loadConfigOrExit(), 'api');
  const log = rootLogger(config, 'api');
  const db = await openMigratedDatabase(config, log);
  const api = await startApiRole(config, db, log);
  onShutdown(log, [api.stop, () => db.destroy()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

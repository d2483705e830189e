import { startSchedulerRole } from '../scheduler/role.ts';
import { loadConfigOrExit, onShutdown, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'scheduler');
  const db = await openMigratedDatabase(config, log);
  const scheduler = await startSchedulerRole(config, db, log);
  onShutdown(log, [scheduler.stop, () => db.destroy()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

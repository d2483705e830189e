import { startMonitorRole } from './roles.ts';
import { loadConfigOrExit, onShutdown, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'monitor');
  const db = await openMigratedDatabase(config, log);
  const monitor = await startMonitorRole(config, db, log);
  onShutdown(log, [monitor.stop, () => db.destroy()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

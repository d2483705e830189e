import { startWorkerRole } from './roles.ts';
import { loadConfigOrExit, onShutdown, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'worker', config.log.workerLevel);
  const db = await openMigratedDatabase(config, log);
  const worker = await startWorkerRole(config, db, log);
  onShutdown(log, [worker.stop, () => db.destroy()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

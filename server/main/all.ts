/** Every role in one process, for a newcomer: `npm start`. */
import { startApiRole, startWorkerRole } from './roles.ts';
import { loadConfigOrExit, onShutdown, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'sync-orchestrator');
  const db = await openMigratedDatabase(config, log);
  const worker = await startWorkerRole(config, db, log.child({ role: 'worker' }));
  const api = await startApiRole(config, db, log.child({ role: 'api' }));
  console.log(
    `\nSync Orchestrator is running\n  GraphiQL  ${api.url}/graphql\n  REST      ${api.url}/api/sync/jobs\n`,
  );
  onShutdown(log, [api.stop, worker.stop, () => db.destroy()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

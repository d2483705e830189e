import { loadConfigOrExit, openMigratedDatabase, rootLogger } from './runtime.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = rootLogger(config, 'migrate', config.log.level === 'silent' ? 'silent' : 'info');
  const db = await openMigratedDatabase(config, log);
  await db.destroy();
  log.info('database is at the latest migration');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

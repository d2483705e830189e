/**
 * `npm run bench`: measures each scenario against a baseline measured in the same run, prints a Markdown table and
 * writes bench-results.json. See the README's "Performance" section and `npm run bench -- --help`.
 *
 * The run owns a database (`sync_bench_<id>`, dropped at the end) and a Redis key prefix (`bench<id>:`, every key
 * deleted at the end). The API and worker run as child processes of the production entrypoints.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, type BenchContext } from './lib/context.ts';
import { machineCpuMs } from './lib/cpu.ts';
import {
  countRedisKeys,
  createBenchDatabase,
  databaseExists,
  deleteRedisKeys,
  jobStatusCounts,
  newRunId,
} from './lib/infra.ts';
import { parseOptions, type BenchOptions, type ScenarioName } from './lib/options.ts';
import { ROOT, type ApiProcess, type RoleProcess } from './lib/processes.ts';
import { formatHeader, formatTable, updateReadme, type BenchResults } from './lib/report.ts';
import { mb } from './lib/stats.ts';
import { formatProfileSummary, summariseProfile } from './profile-summary.ts';
import { runBulkAccept } from './scenarios/bulk-accept.ts';
import { runCreateLatency } from './scenarios/create-latency.ts';
import { runEndToEnd } from './scenarios/end-to-end.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runMemory } from './scenarios/memory.ts';
import { runRawQueue } from './scenarios/raw-queue.ts';
import { runUrgentPickup } from './scenarios/urgent-pickup.ts';

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const runId = newRunId();
  const prefix = `bench${runId}`;
  const wants = (s: ScenarioName) => options.scenarios.includes(s);
  const results: BenchResults = {
    meta: {
      startedAt: new Date().toISOString(),
      finishedAt: '',
      smoke: options.smoke,
      node: process.versions.node,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      loadAverageStart: loadavg(),
      loadAverageEnd: [],
      machineCoresBusy: null,
      runId,
      database: `sync_bench_${runId}`,
      redisPrefix: prefix,
      workerLogLevel: options.workerLogLevel,
      options: { ...options },
    },
    rssReadings: [],
    failures: [],
  };
  const machineAtStart = { cpu: machineCpuMs(), at: Date.now() };
  const database = await createBenchDatabase(options.adminUrl, runId);
  let ctx: BenchContext | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('[bench] interrupted: cleaning up (Ctrl-C again to leave things behind)');
    void cleanup().finally(() => process.exit(130));
  };
  async function cleanup(): Promise<void> {
    if (ctx) await Promise.allSettled([...ctx.processes].map((p) => p.stop(10_000)));
    let dropped = false;
    let deleted = 0;
    try {
      await database.drop();
      dropped = !(await databaseExists(options.adminUrl, database.name));
    } catch (err) {
      results.failures.push({ scenario: 'cleanup', error: errorText(err) });
    }
    try {
      deleted = await deleteRedisKeys(options.redisUrl, prefix);
    } catch (err) {
      results.failures.push({ scenario: 'cleanup', error: errorText(err) });
    }
    results.cleanup = {
      databaseDropped: dropped,
      redisKeysDeleted: deleted,
      redisKeysLeft: await countRedisKeys(options.redisUrl, prefix).catch(() => -1),
    };
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const memory = (proc: RoleProcess | undefined, when: string) => {
    if (proc) results.rssReadings.push({ process: proc.label, when, peakRssMb: mb(proc.peakRss()) });
  };
  async function scenario(name: ScenarioName, fn: () => Promise<void>): Promise<void> {
    if (!wants(name) || interrupted) return;
    ctx!.log(`${name}: start`);
    try {
      await fn();
      ctx!.log(`${name}: done`);
    } catch (err) {
      ctx!.log(`${name}: FAILED ${errorText(err)}`);
      results.failures.push({ scenario: name, error: errorText(err) });
    }
  }

  try {
    ctx = await createContext(options, runId, database);
    const c = ctx;
    await scenario('raw', async () => {
      results.raw = await runRawQueue(c);
    });

    let api: ApiProcess | undefined;
    let worker: RoleProcess | undefined;
    if (['e2e', 'bulk', 'create', 'urgent'].some((s) => wants(s as ScenarioName))) {
      const starting = c.startApi('api-jobs');
      // The worker loads while the API does; its canary job waits for the API.
      const workerStarting = ['e2e', 'bulk', 'create'].some((s) => wants(s as ScenarioName))
        ? c.startWorker('worker-e2e', starting)
        : undefined;
      const [startedApi, startedWorker] = await Promise.allSettled([starting, workerStarting]);
      if (startedApi.status === 'rejected') throw startedApi.reason;
      if (startedWorker.status === 'rejected') throw startedWorker.reason;
      api = startedApi.value;
      worker = startedWorker.value;
      c.log(`api at ${api.url}`);
    }
    if (api && worker) {
      await scenario('e2e', async () => {
        const e2e = await runEndToEnd(c, api, worker);
        results.e2e = {
          ...e2e,
          ratioToRaw: results.raw ? Math.round((e2e.jobsPerSec / results.raw.jobsPerSec) * 100) / 100 : null,
        };
        memory(api, `after end-to-end (${e2e.jobs} jobs)`);
        memory(worker, `after end-to-end (${e2e.jobs} jobs)`);
      });
      await scenario('bulk', async () => {
        results.bulk = await runBulkAccept(c, api);
      });
      await scenario('create', async () => {
        results.create = await runCreateLatency(c, api);
        memory(worker, 'after create latency');
      });
      await c.stop(worker);
      // The same load with no worker running: the API's own latency, without the jobs' execution competing for the
      // CPU. A worker runs the jobs afterwards.
      await scenario('create', async () => {
        results.createApiOnly = await runCreateLatency(c, api, {
          durationS: Math.max(1, Math.ceil(options.createDurationS / 2)),
          drain: async () => {
            const drain = await c.startWorker('worker-create-drain', api);
            return () => c.stop(drain);
          },
        });
      });
    }
    await scenario('urgent', async () => {
      const urgent = await runUrgentPickup(c, api!);
      results.urgent = urgent;
      results.rssReadings.push(
        {
          process: 'worker-urgent',
          when: `with ${urgent.backlog} jobs queued`,
          peakRssMb: urgent.memory.workerPeakMb,
        },
        {
          process: 'api-jobs',
          when: `with ${urgent.backlog} jobs queued`,
          peakRssMb: urgent.memory.apiPeakMb,
        },
      );
    });
    if (api) {
      memory(api, 'end of job scenarios');
      await c.stop(api);
    }

    if (wants('fanout') && !interrupted) {
      const fanoutApi = await c.startApi('api-fanout');
      await scenario('fanout', async () => {
        results.fanout = await runFanout(c, fanoutApi);
        results.rssReadings.push({
          process: 'api-fanout',
          when: `with ${results.fanout.graphql.subscribers} subscribers`,
          peakRssMb: results.fanout.apiPeakMb,
        });
      });
      await c.stop(fanoutApi);
    }
    await scenario('memory', async () => {
      results.memory = await runMemory(c);
    });
    results.jobs = await jobStatusCounts(c.db);
  } catch (err) {
    results.failures.push({ scenario: 'setup', error: errorText(err) });
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  results.meta.loadAverageEnd = loadavg();
  const machineAtEnd = machineCpuMs();
  if (machineAtStart.cpu !== undefined && machineAtEnd !== undefined) {
    results.meta.machineCoresBusy =
      Math.round(((machineAtEnd - machineAtStart.cpu) / Math.max(1, Date.now() - machineAtStart.at)) * 100) /
      100;
  }
  results.meta.finishedAt = new Date().toISOString();
  if (options.profile) results.profile = profileReport(options.profileDir);
  return results;
}

interface ProcessCounts {
  counters: Record<string, number>;
  sql: Record<string, number>;
  redis: Record<string, number>;
}
interface ProfileReport {
  counts: Record<string, ProcessCounts>;
}

/**
 * SQL statements and Redis commands per end-to-end job, by process. Exact with `--only=e2e` (other scenarios'
 * work in the same processes would be counted too); startup statements round to 0.
 */
function formatCounts(report: ProfileReport, jobs: number): string {
  const per = (n: number) => (n / jobs).toFixed(3).padStart(7);
  const lines = [`statements and commands per end-to-end job (${jobs} jobs):`];
  for (const [name, c] of Object.entries(report.counts)) {
    lines.push(
      `  ${name}: ${Object.entries(c.counters)
        .map(([k, v]) => `${k} ${(v / jobs).toFixed(2)}`)
        .join(', ')}`,
    );
    for (const [text, n] of Object.entries(c.sql).filter(([, n]) => n / jobs >= 0.01))
      lines.push(`    ${per(n)}  ${text}`);
    for (const [cmd, n] of Object.entries(c.redis).filter(([, n]) => n / jobs >= 0.01))
      lines.push(`    ${per(n)}  ${cmd}`);
  }
  return lines.join('\n');
}

/** Reads the profiles and statement counts the children wrote at exit. */
function profileReport(dir: string): unknown {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir);
  // Each process has a folder; its main thread's profile is the one with thread id 0.
  const mainThread = (folder: string) =>
    readdirSync(join(dir, folder)).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  return {
    dir,
    profiles: files.flatMap((folder) => {
      if (!statSync(join(dir, folder)).isDirectory()) return [];
      const file = mainThread(folder);
      if (!file) return [];
      return [
        { process: folder, ...summariseProfile(join(dir, folder, file), 30), file: join(dir, folder, file) },
      ];
    }),
    counts: Object.fromEntries(
      files
        .filter((f) => f.endsWith('.counts.json'))
        .map((f) => [
          f.replace(/\.counts\.json$/, ''),
          JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown,
        ]),
    ),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const results = await runBench(options);
  const out = resolve(ROOT, options.out);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${formatHeader(results)}\n\n${formatTable(results)}\n`);
  if (results.profile) {
    const p = results.profile as {
      dir: string;
      profiles: (Parameters<typeof formatProfileSummary>[0] & { process: string })[];
    };
    for (const s of p.profiles) console.log(`${s.process}: ${formatProfileSummary(s)}\n`);
    const jobs = results.e2e?.jobs;
    if (jobs) console.log(formatCounts(results.profile as ProfileReport, jobs));
    console.log(`profiles and statement counts: ${p.dir}`);
  }
  for (const f of results.failures) console.error(`[bench] ${f.scenario} failed: ${f.error}`);
  console.log(`results: ${out}`);
  if (options.updateReadme) {
    const ok = await updateReadme(join(ROOT, 'README.md'), results);
    console.log(
      ok ? 'README "Performance" table updated' : 'README has no bench-results markers; not updated',
    );
  }
  process.exitCode = results.failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

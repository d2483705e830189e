/** The results file's shape, the printed table (Markdown, so the README can keep it) and the README update. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BulkAcceptResult } from '../scenarios/bulk-accept.ts';
import type { CreateLatencyResult } from '../scenarios/create-latency.ts';
import type { EndToEndResult } from '../scenarios/end-to-end.ts';
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { MemoryResult } from '../scenarios/memory.ts';
import type { RawQueueResult } from '../scenarios/raw-queue.ts';
import type { UrgentPickupResult } from '../scenarios/urgent-pickup.ts';
import type { StatusCounts } from './infra.ts';
import type { ScenarioName } from './options.ts';

export interface MemoryReading {
  process: string;
  when: string;
  peakRssMb: number | null;
}

export interface BenchResults {
  meta: {
    startedAt: string;
    finishedAt: string;
    smoke: boolean;
    node: string;
    cpus: number;
    cpuModel: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
    /** Average cores busy on the whole machine during the run (all processes, ours included). */
    machineCoresBusy: number | null;
    runId: string;
    database: string;
    redisPrefix: string;
    workerLogLevel: string;
    options: Record<string, unknown>;
  };
  raw?: RawQueueResult;
  e2e?: EndToEndResult & { ratioToRaw: number | null };
  bulk?: BulkAcceptResult;
  create?: CreateLatencyResult;
  /** The same load with no worker running during it. */
  createApiOnly?: CreateLatencyResult;
  urgent?: UrgentPickupResult;
  fanout?: FanoutResult;
  memory?: MemoryResult;
  /** Peak RSS of the other scenarios' processes (run from source with tsx), read at points of interest. */
  rssReadings: MemoryReading[];
  /** Scenarios that threw, with the error. */
  failures: { scenario: ScenarioName | 'setup' | 'cleanup'; error: string }[];
  /** Every job in the bench database at the end, by status. */
  jobs?: StatusCounts;
  cleanup?: { databaseDropped: boolean; redisKeysDeleted: number; redisKeysLeft: number };
  profile?: unknown;
}

export const TARGETS = {
  e2eRatio: 0.5,
  urgentP99Ms: 100,
  createP99Ms: 20,
  bulkP50Ms: 500,
  fanoutP99Ms: 50,
  rssMb: 200,
};

interface Row {
  scenario: string;
  measure: string;
  result: string;
  target: string;
  met: boolean | null;
}

const n = (v: number) => v.toLocaleString('en-US');
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

export function tableRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  if (r.raw) {
    rows.push({
      scenario: 'raw (baseline)',
      measure: `Bee-Queue alone, ${n(r.raw.jobs)} no-op jobs, concurrency ${r.raw.concurrency}, saveAll`,
      result: `${n(r.raw.jobsPerSec)} jobs/s (${n(r.raw.ms)} ms)`,
      target: 'baseline',
      met: null,
    });
  }
  if (r.e2e) {
    const ratio = r.e2e.ratioToRaw;
    rows.push({
      scenario: 'end-to-end',
      measure: `bulkCreateSyncJobs ×${r.e2e.batchSize} over HTTP → all ${n(r.e2e.jobs)} COMPLETED (1 worker, sync_bulk=${r.e2e.workerConcurrency}); ${r.e2e.events.perJob} events/job`,
      result: `${n(r.e2e.jobsPerSec)} jobs/s${ratio === null ? '' : ` = ${ratio.toFixed(2)}× raw`}`,
      target: `≥ ${TARGETS.e2eRatio}× raw`,
      met: ratio === null ? null : ratio >= TARGETS.e2eRatio,
    });
  }
  if (r.urgent) {
    const u = r.urgent;
    rows.push({
      scenario: 'urgent pickup',
      measure: `started_at − created_at of ${u.urgentJobs} URGENT jobs, ${n(u.backlog)} bulk jobs waiting (sync_bulk=${u.bulkConcurrency})`,
      result: `p50 ${ms(u.pickupMs.p50)}, p99 ${ms(u.pickupMs.p99)}`,
      target: `p99 < ${TARGETS.urgentP99Ms} ms`,
      met: u.pickupMs.p99 < TARGETS.urgentP99Ms,
    });
    rows.push({
      scenario: 'worker drain',
      measure: `${n(u.drain.jobs)} jobs already queued, 1 worker, sync_bulk=20 (no HTTP in the loop)`,
      result: `${n(u.drain.jobsPerSec)} jobs/s`,
      target: '—',
      met: null,
    });
  }
  if (r.create) {
    const c = r.create;
    rows.push({
      scenario: 'create latency',
      measure: `createSyncJob at ${c.rate} req/s for ${c.durationS} s (autocannon, ${c.connections} connections; ${c.achievedRate} req/s achieved)`,
      result: `p50 ${ms(c.latencyMs.p50)}, p99 ${ms(c.latencyMs.p99)}, ${c.errors.total} errors`,
      target: `p99 < ${TARGETS.createP99Ms} ms, 0 errors, at the rate`,
      // A run that could not offer the rate (the API answered slower than the connections could send) misses too.
      met: c.latencyMs.p99 < TARGETS.createP99Ms && c.errors.total === 0 && c.achievedRate >= 0.95 * c.rate,
    });
  }
  if (r.createApiOnly) {
    const c = r.createApiOnly;
    rows.push({
      scenario: 'create latency, no worker',
      measure: `the same at ${c.rate} req/s for ${c.durationS} s with no worker running (the API's own latency; ${c.achievedRate} req/s achieved)`,
      result: `p50 ${ms(c.latencyMs.p50)}, p99 ${ms(c.latencyMs.p99)}, ${c.errors.total} errors`,
      target: '—',
      met: null,
    });
  }
  if (r.bulk) {
    rows.push({
      scenario: 'bulk accept',
      measure: `one bulkCreateSyncJobs of ${n(r.bulk.batchSize)} jobs, HTTP round trip, ${r.bulk.calls} calls`,
      result: `p50 ${ms(r.bulk.ms.p50)} (max ${ms(r.bulk.ms.max)})`,
      target: `< ${TARGETS.bulkP50Ms} ms`,
      met: r.bulk.ms.p50 < TARGETS.bulkP50Ms,
    });
  }
  if (r.e2e) {
    rows.push({
      scenario: 'bulk accept, busy',
      measure: `the same calls during end-to-end (worker running), ${r.e2e.bulkCallMs.count} calls`,
      result: `p50 ${ms(r.e2e.bulkCallMs.p50)} (max ${ms(r.e2e.bulkCallMs.max)})`,
      target: `< ${TARGETS.bulkP50Ms} ms`,
      met: r.e2e.bulkCallMs.p50 < TARGETS.bulkP50Ms,
    });
  }
  if (r.fanout) {
    const f = r.fanout;
    const shape = `${f.jobs} jobs × ${f.subscribersPerJob} subscribers, ${f.ratePerJob} events/s/job`;
    rows.push({
      scenario: 'fan-out, graphql-ws',
      measure: `${n(f.graphql.subscribers)} jobUpdated subscribers on 1 API (${shape}); ${n(f.graphql.delivered)}/${n(f.graphql.expectedDeliveries)} delivered`,
      result: `p50 ${ms(f.graphql.latencyMs.p50)}, p99 ${ms(f.graphql.latencyMs.p99)}`,
      target: `p99 < ${TARGETS.fanoutP99Ms} ms`,
      met: f.graphql.latencyMs.p99 < TARGETS.fanoutP99Ms,
    });
    rows.push({
      scenario: 'fan-out, raw ws (baseline)',
      measure: `${n(f.raw.subscribers)} plain WebSockets, 1 Redis subscriber relaying (${shape}); ${n(f.raw.delivered)}/${n(f.raw.expectedDeliveries)} delivered`,
      result: `p50 ${ms(f.raw.latencyMs.p50)}, p99 ${ms(f.raw.latencyMs.p99)}`,
      target: 'baseline',
      met: null,
    });
  }
  if (r.memory) {
    const m = r.memory;
    const runtime = m.runtime === 'dist' ? 'built JavaScript' : 'tsx, from source';
    const others = (role: 'api' | 'worker') =>
      r.rssReadings
        .filter((x) => x.process.startsWith(role))
        .map((x) => x.peakRssMb ?? 0)
        .reduce((a, v) => Math.max(a, v), 0);
    for (const role of ['api', 'worker'] as const) {
      const figures = m[role];
      const elsewhere = others(role);
      rows.push({
        scenario: `memory, ${role === 'api' ? 'API' : 'worker'}`,
        measure:
          `peak RSS (VmHWM) over ${n(m.jobs)} bulk jobs, up to ${n(m.maxQueued)} queued at once (${runtime}; ` +
          `${figures.idleMb} MB idle)` +
          (elsewhere > 0 ? `; highest in the other scenarios (tsx): ${elsewhere} MB` : ''),
        result: `${figures.peakMb} MB`,
        target: `< ${TARGETS.rssMb} MB`,
        met: figures.peakMb === null ? null : figures.peakMb < TARGETS.rssMb,
      });
    }
  }
  return rows;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function formatTable(r: BenchResults): string {
  const rows = tableRows(r);
  const mark = (met: boolean | null) => (met === null ? '' : met ? 'yes' : '**no**');
  const lines = [
    '| scenario | what | result | target | met |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${[row.scenario, row.measure, row.result, row.target, mark(row.met)].map(cell).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

export function formatHeader(r: BenchResults): string {
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  return [
    `${r.meta.smoke ? 'Smoke run (tiny sizes; not a measurement)' : 'Run'} of ${r.meta.startedAt.slice(0, 16).replace('T', ' ')} UTC: ` +
      `${r.meta.cpus} cores (${r.meta.cpuModel}), Node ${r.meta.node}, ` +
      `load average (1/5/15 min) ${load(r.meta.loadAverageStart)} at start, ${load(r.meta.loadAverageEnd)} at end` +
      (r.meta.machineCoresBusy === null
        ? ''
        : `, ${r.meta.machineCoresBusy} of ${r.meta.cpus} cores busy on average`) +
      (r.e2e?.cpu.otherCoresBusy != null
        ? ` (during end-to-end, other processes used ${r.e2e.cpu.otherCoresBusy} cores)`
        : '') +
      // The load at the end includes the bench itself; other work shows in the load before it and in the CPU
      // used by other processes during end-to-end.
      ((r.meta.loadAverageStart[0] ?? 0) > 1.5 || (r.e2e?.cpu.otherCoresBusy ?? 0) > 0.3
        ? ' — the machine was busy with other work, so figures are noisy.'
        : '.'),
  ].join('\n');
}

const START = '<!-- bench-results:start -->';
const END = '<!-- bench-results:end -->';

/**
 * Replaces the text between the README's bench markers with this run's header and table, formatted by Prettier
 * with the project's settings (so `npm run format:check` stays green).
 */
export async function updateReadme(path: string, r: BenchResults): Promise<boolean> {
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return false;
  const body = `${START}\n\n${formatHeader(r)}\n\n${formatTable(r)}\n\n${END}`;
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(path)) ?? {};
  const formatted = await prettier.format(readme.slice(0, start) + body + readme.slice(end + END.length), {
    ...config,
    filepath: path,
  });
  writeFileSync(path, formatted);
  return true;
}

/**
 * CPU time spent by each party during a scenario, from /proc/<pid>/stat (utime + stime): the API and worker
 * children, the Postgres backends serving the bench database (excluding the bench's own connections), the bench
 * process itself, and the Redis server (INFO cpu; a shared server, so other clients' work is included).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU of a process so far, in ms; undefined when it is gone or unreadable. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks()) * 1000;
  } catch {
    return undefined;
  }
}

/** CPU time of the whole machine so far (all cores, every process; idle and iowait excluded), in ms. */
export function machineCpuMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (
      (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
        clockTicks()) *
      1000
    );
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  at: number;
  machine: number | undefined;
  processes: Record<string, number>;
  postgres: Map<number, number>;
  bench: number;
  redis: number | undefined;
}

export const BENCH_APPLICATION_NAME = 'sync-bench';

async function postgresBackends(db: Database, database: string): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE datname = ${database} AND application_name <> ${BENCH_APPLICATION_NAME}`.execute(db);
  return rows.map((r) => r.pid);
}

async function redisCpuMs(redisUrl: string): Promise<number | undefined> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('cpu');
    const value = (name: string) =>
      Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
    const total = (value('used_cpu_user') + value('used_cpu_sys')) * 1000;
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

export async function sampleCpu(
  db: Database,
  database: string,
  redisUrl: string,
  processes: Record<string, number>,
): Promise<CpuSample> {
  const postgres = new Map<number, number>();
  for (const pid of await postgresBackends(db, database)) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) postgres.set(pid, ms);
  }
  const own = process.cpuUsage();
  return {
    at: Date.now(),
    machine: machineCpuMs(),
    processes: Object.fromEntries(
      Object.entries(processes).map(([label, pid]) => [label, processCpuMs(pid) ?? Number.NaN]),
    ),
    postgres,
    bench: (own.user + own.system) / 1000,
    redis: await redisCpuMs(redisUrl),
  };
}

export interface CpuUse {
  wallMs: number;
  /** CPU ms per party over the interval. */
  ms: Record<string, number>;
  /** CPU ms per party divided by `units` (e.g. per job). */
  perUnit: Record<string, number>;
  /** CPU ms of all parties per wall ms: 2.0 would be both cores fully used. */
  coresBusy: number;
  /** The whole machine's CPU per wall ms, and the part of it used by other processes (other people's work). */
  machineCoresBusy: number | null;
  otherCoresBusy: number | null;
}

/**
 * The CPU used between two samples. A Postgres backend that appears only in `after` counts from zero; one that
 * exited in between is missed (the pools keep their connections while busy, so this is rare within a scenario).
 */
export function cpuBetween(before: CpuSample, after: CpuSample, units: number): CpuUse {
  const ms: Record<string, number> = {};
  for (const [label, end] of Object.entries(after.processes)) {
    const start = before.processes[label];
    if (start !== undefined && Number.isFinite(start) && Number.isFinite(end)) ms[label] = end - start;
  }
  let postgres = 0;
  for (const [pid, end] of after.postgres) postgres += end - (before.postgres.get(pid) ?? 0);
  ms.postgres = postgres;
  ms.bench = after.bench - before.bench;
  if (before.redis !== undefined && after.redis !== undefined)
    ms['redis (whole server, shared)'] = after.redis - before.redis;
  const wallMs = after.at - before.at;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const ours = Object.entries(ms)
    .filter(([k]) => !k.startsWith('redis'))
    .reduce((a, [, v]) => a + v, 0);
  const machine =
    before.machine !== undefined && after.machine !== undefined ? after.machine - before.machine : undefined;
  const perWall = (v: number) => Math.round((v / Math.max(1, wallMs)) * 100) / 100;
  return {
    wallMs,
    machineCoresBusy: machine === undefined ? null : perWall(machine),
    // Redis is shared, so it is counted as other work here.
    otherCoresBusy: machine === undefined ? null : perWall(Math.max(0, machine - ours)),
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)])),
    perUnit: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(v / Math.max(1, units))])),
    coresBusy: Math.round((Object.values(ms).reduce((a, v) => a + v, 0) / Math.max(1, wallMs)) * 100) / 100,
  };
}

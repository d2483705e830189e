/**
 * Summarises V8 .cpuprofile files: self time per package (or project folder / Node internals / GC / idle), the
 * heaviest functions by self time, and inclusive time of the project's own functions.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile>… [--top=25]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time not idle: what the process actually spent on the CPU (including GC). */
  busyMs: number;
  byCategory: { category: string; selfMs: number; pctOfBusy: number }[];
  /**
   * Self time with Node internals and native code (socket writes, timers, microtasks…) charged to the nearest
   * package or project file that called them: what each library costs, syscalls included.
   */
  byCallingPackage: { category: string; ms: number; pctOfBusy: number }[];
  topSelf: { fn: string; selfMs: number; pctOfBusy: number }[];
  /** Inclusive time of the project's functions (server/, db/, schema/), on their synchronous stacks. */
  topProjectInclusive: { fn: string; inclusiveMs: number; pctOfBusy: number }[];
}

const PROJECT = /\/(server|db|schema)\/[^?]*$/;

function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program)';
    return functionName.startsWith('(') ? functionName : '(native)';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [scope, name] = url.slice(at + 'node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const project = PROJECT.exec(url);
  if (project) return `project ${project[1]}/`;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

function label(frame: CallFrame): string {
  const file = frame.url
    ? frame.url
        .replace(/^file:\/\//, '')
        .replace(/^.*node_modules\//, '')
        .replace(/^.*\/(server|db|schema|bench)\//, '$1/')
    : '';
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

export function summariseProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });

  const byCategory = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const isLibrary = (cat: string) => !cat.startsWith('node:') && !cat.startsWith('(');
  const bySelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of selfByNode) {
    const node = byId.get(id)!;
    const cat = category(node.callFrame);
    total += ms;
    if (cat === '(idle)') idle += ms;
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + ms);
    let charged = cat;
    if (!isLibrary(cat) && cat !== '(idle)' && cat !== '(garbage collector)' && cat !== '(program)') {
      for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
        const up = category(byId.get(cur)!.callFrame);
        if (isLibrary(up)) {
          charged = up;
          break;
        }
      }
    }
    byCaller.set(charged, (byCaller.get(charged) ?? 0) + ms);
    bySelf.set(label(node.callFrame), (bySelf.get(label(node.callFrame)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!PROJECT.test(frame.url)) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const busy = total - idle;
  const pct = (ms: number) => Math.round((ms / Math.max(1e-9, busy)) * 1000) / 10;
  const round = (ms: number) => Math.round(ms);
  const sortedEntries = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    file: basename(path),
    totalMs: round(total),
    busyMs: round(busy),
    byCategory: sortedEntries(byCategory)
      .filter(([c]) => c !== '(idle)')
      .slice(0, top)
      .map(([c, ms]) => ({ category: c, selfMs: round(ms), pctOfBusy: pct(ms) })),
    byCallingPackage: sortedEntries(byCaller)
      .filter(([c]) => c !== '(idle)')
      .slice(0, top)
      .map(([c, ms]) => ({ category: c, ms: round(ms), pctOfBusy: pct(ms) })),
    topSelf: sortedEntries(bySelf)
      .filter(([fn]) => !fn.startsWith('(idle)'))
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, selfMs: round(ms), pctOfBusy: pct(ms) })),
    topProjectInclusive: sortedEntries(inclusive)
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, inclusiveMs: round(ms), pctOfBusy: pct(ms) })),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const lines = [`${s.file}: ${s.totalMs} ms profiled, ${s.busyMs} ms busy`, '  self time by package:'];
  for (const c of s.byCategory)
    lines.push(`    ${String(c.pctOfBusy).padStart(5)}%  ${String(c.selfMs).padStart(6)} ms  ${c.category}`);
  lines.push('  time by calling package (Node internals and native code charged to their caller):');
  for (const c of s.byCallingPackage)
    lines.push(`    ${String(c.pctOfBusy).padStart(5)}%  ${String(c.ms).padStart(6)} ms  ${c.category}`);
  lines.push('  heaviest functions (self):');
  for (const f of s.topSelf)
    lines.push(`    ${String(f.pctOfBusy).padStart(5)}%  ${String(f.selfMs).padStart(6)} ms  ${f.fn}`);
  lines.push('  project functions (inclusive, synchronous stacks):');
  for (const f of s.topProjectInclusive)
    lines.push(`    ${String(f.pctOfBusy).padStart(5)}%  ${String(f.inclusiveMs).padStart(6)} ms  ${f.fn}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  for (const file of args.filter((a) => !a.startsWith('--'))) {
    console.log(formatProfileSummary(summariseProfile(file, top)));
    console.log();
  }
}

/**
 * The API and worker as child processes of the production entrypoints (`node --import tsx server/main/<role>.ts`),
 * optionally under --cpu-prof and with the counting preload (bench/instrument.ts), and their peak RSS from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTRUMENT = pathToFileURL(fileURLToPath(new URL('../instrument.ts', import.meta.url))).href;

export interface ProfileSettings {
  /** Folder for .cpuprofile and .counts.json files. */
  dir: string;
}

export interface RoleProcess {
  role: 'api' | 'worker' | 'helper';
  label: string;
  child: ChildProcess;
  pid: number;
  /** The last 64 KiB of stdout and stderr, for error messages. */
  output(): string;
  exited: Promise<number | null>;
  /** Peak resident set size so far (VmHWM), in bytes; undefined once the process is gone. */
  peakRss(): number | undefined;
  rss(): number | undefined;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process has exited. */
  stop(timeoutMs?: number): Promise<void>;
  /** Where this process writes its profiles and counts at exit, when profiled. */
  profileFiles?: { dir: string; counts: string };
}

function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function spawnScript(
  role: RoleProcess['role'],
  label: string,
  script: string,
  env: Record<string, string>,
  options: { profile?: ProfileSettings; args?: string[]; ipc?: boolean; tsx?: boolean; cwd?: string } = {},
): RoleProcess {
  const nodeArgs: string[] = [];
  let profileFiles: RoleProcess['profileFiles'];
  if (options.profile) {
    mkdirSync(options.profile.dir, { recursive: true });
    // One folder per process: Node writes a profile per thread (the main thread and tsx's loader thread), named
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is thread 0.
    const dir = join(options.profile.dir, label);
    mkdirSync(dir, { recursive: true });
    profileFiles = { dir, counts: join(options.profile.dir, `${label}.counts.json`) };
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  // Built JavaScript (options.tsx false) runs without the TypeScript loader, as in production.
  if (options.tsx !== false) nodeArgs.push('--import', 'tsx');
  if (options.profile)
    nodeArgs.push(...(options.tsx === false ? ['--import', 'tsx'] : []), '--import', INSTRUMENT);
  const child = spawn(process.execPath, [...nodeArgs, script, ...(options.args ?? [])], {
    cwd: options.cwd ?? ROOT,
    env: {
      ...process.env,
      ...env,
      ...(profileFiles ? { BENCH_COUNTS_FILE: profileFiles.counts } : {}),
    },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 128 * 1024) out = out.slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid!;
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    role,
    label,
    child,
    pid,
    output: () => out.slice(-64 * 1024),
    exited,
    peakRss: () => (gone ? undefined : readStatusKb(pid, 'VmHWM')),
    rss: () => (gone ? undefined : readStatusKb(pid, 'VmRSS')),
    async stop(timeoutMs = 20_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    ...(profileFiles ? { profileFiles } : {}),
  };
}

/** Resolves with the first match of `pattern` in the child's output, or rejects when it exits or times out. */
export function waitForOutput(
  proc: RoleProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.child.stdout!.off('data', check);
      fn();
    };
    const check = () => {
      const match = pattern.exec(proc.output());
      if (match) finish(() => resolve(match));
    };
    const timer = setTimeout(
      () =>
        finish(() => reject(new Error(`${proc.label} did not start in ${timeoutMs} ms:\n${proc.output()}`))),
      timeoutMs,
    );
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) =>
      finish(() => reject(new Error(`${proc.label} exited with ${code} before starting:\n${proc.output()}`))),
    );
    check();
  });
}

/** The entrypoint of a role: its TypeScript source (run with tsx), or its built JavaScript under `build`. */
function entrypoint(role: 'api' | 'worker', build: string | undefined): string {
  return build === undefined ? `server/main/${role}.ts` : join(build, 'server', 'main', `${role}.js`);
}

/**
 * Compiles server/, schema/ and db/ with the project's build config (tsconfig.build.json) into `outDir` — the
 * JavaScript production runs — with links to node_modules and package.json so it resolves like `dist/`. Returns
 * tsc's type errors, if it reported any but still emitted the entrypoints.
 */
export function buildJavaScript(outDir: string, root: string = ROOT): string | undefined {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let problems: string | undefined;
  try {
    // From `root` (--server-root): an A/B of memory must build the checkout it measures.
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // tsc still emits when it finds type errors (e.g. work in progress elsewhere); only missing output is fatal.
    problems = String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 2000);
    const emitted = ['api', 'worker'].every((role) =>
      existsSync(join(outDir, 'server', 'main', `${role}.js`)),
    );
    if (!emitted) throw new Error(`tsc -p tsconfig.build.json emitted no entrypoints:\n${problems}`);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  symlinkSync(join(root, 'package.json'), join(outDir, 'package.json'));
  return problems;
}

export interface ApiProcess extends RoleProcess {
  url: string;
}

/** The API entrypoint on a free port; its startup line (`"msg":"api listening"`, at info) gives the URL. */
export async function startApi(
  label: string,
  env: Record<string, string>,
  options: {
    profile?: ProfileSettings | undefined;
    build?: string | undefined;
    root?: string | undefined;
  } = {},
): Promise<ApiProcess> {
  const proc = spawnScript(
    'api',
    label,
    entrypoint('api', options.build),
    { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    {
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.root ? { cwd: options.root } : {}),
      tsx: options.build === undefined,
    },
  );
  try {
    const match = await waitForOutput(
      proc,
      /"msg":"api listening".*?"url":"(http:\/\/[^"]+)"|"url":"(http:\/\/[^"]+)".*?"msg":"api listening"/,
      60_000,
    );
    return { ...proc, url: (match[1] ?? match[2])! };
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
}

/**
 * The worker entrypoint. It is ready when it has run a canary job end to end (`ready`), which works at any log
 * level; at info its "worker started" line would do too, but then every job also logs two lines.
 */
export async function startWorker(
  label: string,
  env: Record<string, string>,
  ready: (proc: RoleProcess) => Promise<void>,
  options: {
    profile?: ProfileSettings | undefined;
    build?: string | undefined;
    root?: string | undefined;
  } = {},
): Promise<RoleProcess> {
  const proc = spawnScript('worker', label, entrypoint('worker', options.build), env, {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.root ? { cwd: options.root } : {}),
    tsx: options.build === undefined,
  });
  try {
    await Promise.race([
      ready(proc),
      proc.exited.then((code) => {
        throw new Error(`${label} exited with ${code} before it was ready:\n${proc.output()}`);
      }),
    ]);
    return proc;
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
}

/**
 * The deployment files agree with the code: every command docker-compose.yml and the Dockerfile run is an npm
 * script, each built entrypoint has a source, every app service is configured with variables the config reads,
 * and .env.example documents exactly the variables server/config.ts reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../server/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: unknown;
}

const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** The npm script a command runs: `npm run x`, `npm start`, `npm test`. */
function npmScript(command: string[]): string | undefined {
  if (command[0] !== 'npm') return undefined;
  if (command[1] === 'run' || command[1] === 'run-script') return command[2];
  return command[1];
}

function asArgv(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return Array.isArray(command) ? command.map(String) : command.split(/\s+/).filter(Boolean);
}

function environmentOf(service: ComposeService): Record<string, unknown> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((line) => [line.split('=')[0] ?? line, line.split('=').slice(1).join('=')]),
  );
}

describe('docker-compose.yml and the Dockerfile', () => {
  it('has the app services, each built from this repository', () => {
    expect(appServices.map(([name]) => name)).toEqual(expect.arrayContaining(['api', 'worker']));
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis']));
  });

  it('runs only commands that are npm scripts in package.json', () => {
    const commands = appServices.map(([name, s]) => ({ where: `service ${name}`, argv: asArgv(s.command) }));
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(read('Dockerfile'));
    expect(cmd, 'Dockerfile has an exec-form CMD').not.toBeNull();
    commands.push({ where: 'Dockerfile CMD', argv: JSON.parse(cmd![1]!) as string[] });
    for (const line of read('Dockerfile').matchAll(/^RUN\s+npm run (\S+)/gm)) {
      commands.push({ where: 'Dockerfile RUN', argv: ['npm', 'run', line[1]!] });
    }
    expect(commands.length).toBeGreaterThan(2);
    for (const { where, argv } of commands) {
      const script = npmScript(argv);
      expect(script, `${where} runs "${argv.join(' ')}", not an npm script`).toBeDefined();
      expect(pkg.scripts[script!], `${where}: package.json has no script "${script}"`).toBeDefined();
    }
  });

  it('runs built JavaScript whose source exists (no tsx at run time)', () => {
    const used = appServices.map(([, s]) => npmScript(asArgv(s.command))!);
    for (const script of used) {
      const body = pkg.scripts[script]!;
      expect(body, `${script} must run node on dist/`).toMatch(/^node (--\S+ )*dist\/\S+\.js$/);
      expect(body).not.toMatch(/tsx|ts-node/);
      const built = /dist\/(\S+)\.js$/.exec(body)![1]!;
      expect(
        existsSync(`${ROOT}${built}.ts`),
        `${script} runs dist/${built}.js; ${built}.ts is missing`,
      ).toBe(true);
    }
    // The build that produces them, and the test entrypoint that must keep working from source.
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { outDir: string; rewriteRelativeImportExtensions: boolean };
      include: string[];
    };
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rewriteRelativeImportExtensions: true });
    expect(build.include).toEqual(expect.arrayContaining(['server', 'schema', 'db']));
    expect(build.include).not.toContain('test');
  });

  it('configures every app service with Postgres and Redis, using only variables the config reads', () => {
    for (const [name, service] of appServices) {
      const env = environmentOf(service);
      expect(env.DATABASE_URL, `${name}: DATABASE_URL`).toMatch(/^postgres(ql)?:\/\//);
      expect(env.REDIS_URL, `${name}: REDIS_URL`).toMatch(/^rediss?:\/\//);
      for (const key of Object.keys(env)) {
        expect(CONFIG_VARIABLES, `${name} sets ${key}, which server/config.ts does not read`).toContain(key);
      }
    }
  });

  it('starts app services only once Postgres and Redis are healthy, and checks their health', () => {
    for (const [name, service] of appServices) {
      const deps = service.depends_on as Record<string, { condition?: string }>;
      expect(deps?.postgres?.condition, `${name} waits for postgres`).toBe('service_healthy');
      for (const dep of Object.keys(deps)) {
        const target = compose.services[dep];
        if (deps[dep]?.condition === 'service_healthy')
          expect(target?.healthcheck, `${dep} healthcheck`).toBeDefined();
      }
    }
    expect(compose.services.api?.healthcheck).toBeDefined();
  });

  it('runs migrations before the API and workers start', () => {
    const migrators = appServices.filter(([, s]) => /migrate/.test(npmScript(asArgv(s.command)) ?? ''));
    expect(migrators).toHaveLength(1);
    const [migrateName] = migrators[0]!;
    for (const name of ['api', 'worker']) {
      const deps = compose.services[name]!.depends_on as Record<string, { condition?: string }>;
      expect(deps[migrateName]?.condition).toBe('service_completed_successfully');
    }
  });
});

describe('.env.example', () => {
  const lines = read('.env.example').split('\n');
  const assignment = /^#?\s*([A-Z][A-Z0-9_]*)=/;

  it('documents every variable server/config.ts reads, each with a comment line above it', () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(20);
    for (const name of CONFIG_VARIABLES) {
      const index = lines.findIndex((line) => assignment.exec(line)?.[1] === name);
      expect(index, `${name} is missing from .env.example`).toBeGreaterThan(0);
      const above = lines[index - 1]!;
      expect(above.startsWith('#') && !assignment.test(above), `${name} needs a comment line above it`).toBe(
        true,
      );
    }
  });

  it('lists no variable that the config does not read', () => {
    const listed = lines.map((line) => assignment.exec(line)?.[1]).filter((n): n is string => Boolean(n));
    for (const name of listed) expect(CONFIG_VARIABLES, `${name} in .env.example`).toContain(name);
    expect(new Set(listed).size).toBe(listed.length);
  });
});

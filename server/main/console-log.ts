/**
 * The all-in-one's console: one pino logger whose lines are printed by pino-pretty, each prefixed with the role
 * that wrote it (`[api]`, `[worker]`, `[redis]` …) in that role's colour. Roles log through `log.child({ role })`,
 * so the code of a role is the same in the all-in-one and in its own process (where lines stay JSON).
 */
import pinoPretty from 'pino-pretty';
import { createLogger, type Logger } from '../logger.ts';

type Colour = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'red' | 'gray' | 'white';

/** Roles and helpers known today; an unknown role gets white. */
const ROLE_COLOURS: Record<string, Colour> = {
  main: 'gray',
  api: 'cyan',
  worker: 'magenta',
  scheduler: 'yellow',
  monitor: 'green',
  dashboard: 'blue',
  redis: 'red',
  db: 'blue',
};

const LEVELS: Record<number, { label: string; colour: Colour }> = {
  10: { label: 'TRACE', colour: 'gray' },
  20: { label: 'DEBUG', colour: 'blue' },
  30: { label: 'INFO', colour: 'green' },
  40: { label: 'WARN', colour: 'yellow' },
  50: { label: 'ERROR', colour: 'red' },
  60: { label: 'FATAL', colour: 'red' },
};

const PREFIX_WIDTH = Math.max(...Object.keys(ROLE_COLOURS).map((r) => r.length)) + 2;

function clock(epochMs: unknown): string {
  const d = typeof epochMs === 'number' ? new Date(epochMs) : new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A logger for the all-in-one; children with a `role` binding print under that role's prefix. */
export function createConsoleLogger(options: { level: string; colour?: boolean }): Logger {
  const stream = pinoPretty({
    colorize: options.colour ?? Boolean(process.stdout.isTTY),
    // Synchronous writes: nothing is lost when the process exits right after a line.
    sync: true,
    singleLine: true,
    // Everything before the message is written by messageFormat, so the role prefix comes first.
    ignore: 'pid,hostname,name,role,time,level',
    messageFormat: (log, messageKey, _levelLabel, { colors }) => {
      const role = typeof log.role === 'string' ? log.role : 'main';
      const paint = (colour: Colour, text: string) => colors[colour](text);
      const level = LEVELS[Number(log.level)] ?? { label: 'LOG', colour: 'white' as Colour };
      const prefix = paint(ROLE_COLOURS[role] ?? 'white', `[${role}]`.padEnd(PREFIX_WIDTH));
      const message = typeof log[messageKey] === 'string' ? log[messageKey] : '';
      return `${prefix} ${colors.gray(clock(log.time))} ${paint(level.colour, level.label.padEnd(5))} ${message}`;
    },
  });
  return createLogger({ name: 'sync-orchestrator', level: options.level, destination: stream });
}

/**
 * The integration form's data, kept apart from its markup: input values from a platform's fields (the server's
 * `platforms` answer) and an integration's settings, the settings and credentials objects a submit sends, and which
 * server problem belongs to which field. Credentials only ever flow outwards: nothing here reads them back.
 */
import type { PlatformFieldType } from '../gql/graphql.ts';
import type { ApiProblem } from '../ui/api-error.ts';

export interface FormField {
  path: string;
  label: string;
  type: PlatformFieldType;
  required: boolean;
  secret: boolean;
  defaultValue?: unknown;
  options?: readonly string[] | null;
  minimum?: number | null;
  maximum?: number | null;
}

/** Input values by field path; checkboxes hold 'true' or 'false'. */
export type FieldValues = Record<string, string>;

function readPath(source: unknown, path: string): unknown {
  let at: unknown = source;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (next === null || typeof next !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]!] = value;
}

function toInput(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Settings inputs: the integration's current values when editing, else each field's default (what the server would
 * use anyway, shown so it can be changed).
 */
export function initialSettingsValues(fields: readonly FormField[], current?: unknown): FieldValues {
  return Object.fromEntries(
    fields.map((f) => {
      const value = current !== undefined ? readPath(current, f.path) : f.defaultValue;
      return [f.path, f.type === 'BOOLEAN' && value === undefined ? 'false' : toInput(value)];
    }),
  );
}

/** Credential inputs always start empty: they are write-only and never come back from the server. */
export function emptyValues(fields: readonly FormField[]): FieldValues {
  return Object.fromEntries(fields.map((f) => [f.path, f.type === 'BOOLEAN' ? 'false' : '']));
}

function convert(field: FormField, raw: string): unknown {
  if (field.type === 'BOOLEAN') return raw === 'true';
  const text = raw.trim();
  if (field.type === 'INTEGER' || field.type === 'NUMBER') {
    const n = Number(text);
    // Not a number: sent as typed, so the server's validation names the field.
    return text !== '' && Number.isFinite(n) ? n : text;
  }
  return text;
}

/**
 * The object a submit sends: every filled-in field at its path, converted to the field's type. Empty inputs are
 * left out (the server applies its default, or keeps the stored value on an edit).
 */
export function buildValues(fields: readonly FormField[], values: FieldValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.path] ?? '';
    if (field.type !== 'BOOLEAN' && raw.trim() === '') continue;
    writePath(out, field.path, convert(field, raw));
  }
  return out;
}

/** Whether any credential input was filled in (an edit sends credentials only then). */
export function hasAnyValue(fields: readonly FormField[], values: FieldValues): boolean {
  return fields.some((f) => f.type !== 'BOOLEAN' && (values[f.path] ?? '').trim() !== '');
}

/**
 * Field problems of a VALIDATION_FAILED answer, keyed `settings.<path>` / `credentials.<path>`; a problem on a
 * whole object (e.g. `settings.rateLimit`) is given to each of its fields.
 */
export function fieldProblems(
  problems: readonly ApiProblem[],
  section: 'settings' | 'credentials',
  fields: readonly FormField[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const prefix = `${section}.`;
  for (const problem of problems) {
    for (const p of problem.problems) {
      const path = p.path.replace(/^input\./, '');
      if (!path.startsWith(prefix)) continue;
      const inner = path.slice(prefix.length);
      for (const field of fields) {
        if (field.path === inner || field.path.startsWith(`${inner}.`)) {
          out.set(field.path, [...(out.get(field.path) ?? []), p.message]);
        }
      }
    }
  }
  return out;
}

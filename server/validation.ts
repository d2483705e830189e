import type { z } from 'zod';
import { AppError } from './errors.ts';

/** Parses with zod, turning every issue into one VALIDATION_FAILED error that lists them all. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, pathPrefix: (string | number)[] = []): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validationError(parsed.error.issues, pathPrefix);
}

export interface FieldProblem {
  path: string;
  message: string;
}

export function toFieldProblems(
  issues: z.core.$ZodIssue[],
  pathPrefix: (string | number)[] = [],
): FieldProblem[] {
  return issues.map((issue) => ({
    path: formatPath([...pathPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]),
    message: issue.message,
  }));
}

export function validationError(issues: z.core.$ZodIssue[], pathPrefix: (string | number)[] = []): AppError {
  return problemsError(toFieldProblems(issues, pathPrefix));
}

export function problemsError(problems: FieldProblem[]): AppError {
  const first = problems[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'Invalid input';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  return new AppError('VALIDATION_FAILED', `${summary}${more}`, { problems });
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p),
    '',
  );
}

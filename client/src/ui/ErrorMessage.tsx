import type { CombinedError } from '@urql/core';
import { describeApiError } from './api-error.ts';

/** Every error of an API answer: code, message and, for validation errors, each field's problem. */
export function ErrorMessage({
  error,
  title,
}: {
  error: CombinedError | Error | null | undefined;
  title?: string;
}) {
  const problems = describeApiError(error);
  if (problems.length === 0) return null;
  return (
    <div className="error-box" role="alert">
      {title && <strong className="error-title">{title}</strong>}
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <code className="error-code">{p.code}</code> {p.message}
            {p.problems.length > 0 && (
              <ul>
                {p.problems.map((f, j) => (
                  <li key={j}>
                    {f.path && <code>{f.path}</code>} {f.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

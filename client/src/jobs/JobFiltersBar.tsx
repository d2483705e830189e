import { useId, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import type { Priority, QueueName } from '../gql/graphql.ts';
import {
  enumLabel,
  JOB_STATUSES,
  PRIORITIES,
  QUEUE_NAMES,
  queueLabel,
  SYNC_TYPES,
} from '../graphql/enums.ts';
import { fetchOnce } from '../graphql/fetch-once.ts';
import { describeApiError, type ApiProblem } from '../ui/api-error.ts';
import { EMPTY_FILTERS, hasFilters, toggleFilterValue, type JobFilters } from './job-filters.ts';
import { FindJobQuery } from './job-operations.ts';

const MULTIPLE = '__multiple__';

/** One value, or none; a list chosen through the URL shows as "several". */
function SingleSelect<T extends string>({
  label,
  values,
  selected,
  format,
  onChange,
}: {
  label: string;
  values: readonly { value: T; label: string }[];
  selected: readonly T[];
  format?: (v: T) => string;
  onChange: (next: T[]) => void;
}) {
  const id = useId();
  const value = selected.length === 0 ? '' : selected.length === 1 ? selected[0]! : MULTIPLE;
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value && e.target.value !== MULTIPLE ? [e.target.value as T] : [])}
      >
        <option value="">Any</option>
        {value === MULTIPLE && (
          <option value={MULTIPLE} disabled>
            {selected.map((v) => (format ? format(v) : v)).join(', ')}
          </option>
        )}
        {values.map((v) => (
          <option key={v.value} value={v.value}>
            {v.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function JobFiltersBar({
  filters,
  integrations,
  onChange,
}: {
  filters: JobFilters;
  integrations: readonly { id: string; name: string | null }[];
  onChange: (next: JobFilters) => void;
}) {
  const integrationSelect = useId();
  const bodyId = useId();
  // Phones only (CSS): the filters fold away behind a button, open by default when some are set.
  const [open, setOpen] = useState(() => hasFilters(filters));
  const count =
    filters.status.length +
    filters.syncType.length +
    filters.priority.length +
    filters.queue.length +
    (filters.integrationId ? 1 : 0);
  return (
    <div className={`filters${open ? '' : ' filters-folded'}`} role="search" aria-label="Job filters">
      <button
        type="button"
        className="filters-toggle"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen((v) => !v)}
      >
        Filters{count > 0 ? ` (${count})` : ''}
      </button>
      <div className="filters-body" id={bodyId}>
        <fieldset className="chips">
          <legend>Status</legend>
          {JOB_STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              className={`chip chip-${status.toLowerCase()}`}
              aria-pressed={filters.status.includes(status)}
              onClick={() => onChange(toggleFilterValue(filters, 'status', status))}
            >
              {enumLabel(status)}
            </button>
          ))}
        </fieldset>
        <fieldset className="chips">
          <legend>Type</legend>
          {SYNC_TYPES.map((type) => (
            <button
              key={type}
              type="button"
              className="chip"
              aria-pressed={filters.syncType.includes(type)}
              onClick={() => onChange(toggleFilterValue(filters, 'syncType', type))}
            >
              {enumLabel(type)}
            </button>
          ))}
        </fieldset>
        <div className="filter-selects">
          <div className="field field-inline">
            <label htmlFor={integrationSelect}>Integration</label>
            <select
              id={integrationSelect}
              value={filters.integrationId ?? ''}
              onChange={(e) => onChange({ ...filters, integrationId: e.target.value || null })}
            >
              <option value="">Any</option>
              {filters.integrationId && !integrations.some((i) => i.id === filters.integrationId) && (
                <option value={filters.integrationId}>{filters.integrationId}</option>
              )}
              {integrations.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name ?? i.id}
                </option>
              ))}
            </select>
          </div>
          <SingleSelect<Priority>
            label="Priority"
            values={PRIORITIES.map((p) => ({ value: p, label: enumLabel(p) }))}
            selected={filters.priority}
            format={enumLabel}
            onChange={(priority) => onChange({ ...filters, priority })}
          />
          <SingleSelect<QueueName>
            label="Queue"
            values={QUEUE_NAMES.map((q) => ({ value: q, label: queueLabel(q) }))}
            selected={filters.queue}
            format={queueLabel}
            onChange={(queue) => onChange({ ...filters, queue })}
          />
          {hasFilters(filters) && (
            <button type="button" className="button-link" onClick={() => onChange(EMPTY_FILTERS)}>
              Clear filters
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** Jumps to a job by its id; says so when there is none (or the id is not one). */
export function JobIdSearch({ onOpenJob }: { onOpenJob: (id: string) => void }) {
  const client = useClient();
  const inputId = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [searching, setSearching] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = text.trim();
    if (!id) return;
    setSearching(true);
    fetchOnce(client, FindJobQuery, { id }, (result) => {
      setSearching(false);
      if (result.error) return setProblem(describeApiError(result.error)[0] ?? null);
      const found = result.data?.job?.id;
      if (!found) return setProblem({ code: 'JOB_NOT_FOUND', message: `No job with id ${id}`, problems: [] });
      setProblem(null);
      onOpenJob(found);
    });
  };

  return (
    <form className="job-search" onSubmit={submit}>
      <label htmlFor={inputId}>Job id</label>
      <div className="input-row">
        <input
          id={inputId}
          type="search"
          className="mono"
          placeholder="e.g. 3f2b…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={problem ? `${inputId}-problem` : undefined}
        />
        <button type="submit" disabled={searching || !text.trim()}>
          Find
        </button>
      </div>
      {problem && (
        <p className="field-error" id={`${inputId}-problem`} role="alert">
          <code className="error-code">{problem.code}</code> {problem.message}
        </p>
      )}
    </form>
  );
}

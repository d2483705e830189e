/**
 * Creating work: one job (integration, type, priority, full sync, batch size) or many at once (every chosen
 * integration × every chosen type, in one `bulkCreateSyncJobs` call). New jobs show up in the table through the
 * live feed; the answer here says which job was made, or which queued one was reused.
 */
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Link, routes } from '../app/router.tsx';
import type { CreateSyncJobInput, Priority, SyncType } from '../gql/graphql.ts';
import { enumLabel, PRIORITIES, queueLabel, SYNC_TYPES } from '../graphql/enums.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { shortId } from '../ui/format.ts';
import { BulkCreateSyncJobsMutation, CreateSyncJobMutation } from './job-operations.ts';

export interface IntegrationOption {
  id: string;
  name: string | null;
  enabled: boolean | null;
}

type Tab = 'single' | 'bulk';

export function CreateJobPanel({ integrations }: { integrations: readonly IntegrationOption[] }) {
  const [tab, setTab] = useState<Tab>('single');
  const titleId = useId();
  const usable = integrations.filter((i) => i.enabled !== false);
  return (
    <section className="panel create-panel" aria-labelledby={titleId}>
      <header className="panel-header">
        <h2 id={titleId}>New sync job</h2>
        <div className="tabs" role="group" aria-label="How many jobs">
          {(['single', 'bulk'] as const).map((t) => (
            <button key={t} type="button" aria-pressed={tab === t} className="tab" onClick={() => setTab(t)}>
              {t === 'single' ? 'One job' : 'Bulk'}
            </button>
          ))}
        </div>
      </header>
      {usable.length === 0 ? (
        <p className="muted">
          No enabled integration yet: <Link to={routes.integrations()}>create a sandbox integration</Link>{' '}
          first.
        </p>
      ) : tab === 'single' ? (
        <CreateJobForm integrations={usable} />
      ) : (
        <BulkCreateForm integrations={usable} />
      )}
    </section>
  );
}

function PrioritySelect({ value, onChange }: { value: Priority; onChange: (p: Priority) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Priority</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Priority)}>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {enumLabel(p)}
          </option>
        ))}
      </select>
    </div>
  );
}

function BatchSizeInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field field-narrow">
      <label htmlFor={id}>Batch size</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={1000}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

function options(fullSync: boolean, batchSize: string): CreateSyncJobInput['options'] {
  const size = batchSize.trim() === '' ? undefined : Number(batchSize);
  // An out-of-range size is sent as typed: the API's VALIDATION_FAILED answer says what is allowed.
  return { fullSync, ...(size === undefined ? {} : { batchSize: size }) };
}

export function CreateJobForm({ integrations }: { integrations: readonly IntegrationOption[] }) {
  const ids = { integration: useId(), type: useId(), fullSync: useId() };
  const [integrationId, setIntegrationId] = useState(integrations[0]?.id ?? '');
  const [syncType, setSyncType] = useState<SyncType>('PRODUCTS');
  const [priority, setPriority] = useState<Priority>('NORMAL');
  const [fullSync, setFullSync] = useState(false);
  const [batchSize, setBatchSize] = useState('100');
  const [state, create] = useMutation(CreateSyncJobMutation);
  const chosen = integrations.some((i) => i.id === integrationId)
    ? integrationId
    : (integrations[0]?.id ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create({
      input: { integrationId: chosen, syncType, priority, options: options(fullSync, batchSize) },
    });
  };
  const created = state.data?.createSyncJob;

  return (
    <form className="form-grid" onSubmit={submit} aria-label="Create one sync job">
      <div className="field">
        <label htmlFor={ids.integration}>Integration</label>
        <select
          id={ids.integration}
          value={chosen}
          onChange={(e) => setIntegrationId(e.target.value)}
          required
        >
          {integrations.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name ?? i.id}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.type}>Type</label>
        <select id={ids.type} value={syncType} onChange={(e) => setSyncType(e.target.value as SyncType)}>
          {SYNC_TYPES.map((t) => (
            <option key={t} value={t}>
              {enumLabel(t)}
            </option>
          ))}
        </select>
      </div>
      <PrioritySelect value={priority} onChange={setPriority} />
      <BatchSizeInput value={batchSize} onChange={setBatchSize} />
      <div className="field field-check">
        <input
          id={ids.fullSync}
          type="checkbox"
          checked={fullSync}
          onChange={(e) => setFullSync(e.target.checked)}
        />
        <label htmlFor={ids.fullSync}>Full sync</label>
      </div>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={state.fetching || !chosen}>
          {state.fetching ? 'Creating…' : 'Create job'}
        </button>
      </div>
      <div className="form-result" aria-live="polite">
        <ErrorMessage error={state.error} title="The job was not created" />
        {!state.error && created?.job?.id && (
          <p className="success" data-created-job={created.job.id}>
            {created.deduplicated ? 'Already queued: reusing job ' : 'Created job '}
            <Link to={routes.job(created.job.id)} className="mono">
              {shortId(created.job.id)}
            </Link>{' '}
            ({created.job.status} in <span className="mono">{queueLabel(created.job.queue)}</span>)
          </p>
        )}
      </div>
    </form>
  );
}

export function BulkCreateForm({ integrations }: { integrations: readonly IntegrationOption[] }) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(integrations.map((i) => i.id)));
  const [types, setTypes] = useState<ReadonlySet<SyncType>>(
    () => new Set<SyncType>(['PRODUCTS', 'INVENTORY']),
  );
  const [priority, setPriority] = useState<Priority>('NORMAL');
  const [fullSync, setFullSync] = useState(false);
  const [batchSize, setBatchSize] = useState('100');
  const fullSyncId = useId();
  const [state, bulkCreate] = useMutation(BulkCreateSyncJobsMutation);

  const toggle = <T,>(set: ReadonlySet<T>, value: T): Set<T> => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    return next;
  };
  const chosenIntegrations = integrations.filter((i) => picked.has(i.id));
  const chosenTypes = SYNC_TYPES.filter((t) => types.has(t));
  const count = chosenIntegrations.length * chosenTypes.length;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const jobs = chosenIntegrations.flatMap((i) =>
      chosenTypes.map((syncType) => ({
        integrationId: i.id,
        syncType,
        priority,
        options: options(fullSync, batchSize),
      })),
    );
    void bulkCreate({ jobs });
  };
  const result = state.data?.bulkCreateSyncJobs;

  return (
    <form className="form-grid" onSubmit={submit} aria-label="Create jobs in bulk">
      <fieldset className="field field-wide checks">
        <legend>Integrations</legend>
        {integrations.map((i) => (
          <label key={i.id} className="check">
            <input
              type="checkbox"
              checked={picked.has(i.id)}
              onChange={() => setPicked(toggle(picked, i.id))}
            />
            {i.name ?? i.id}
          </label>
        ))}
      </fieldset>
      <fieldset className="field field-wide checks">
        <legend>Types</legend>
        {SYNC_TYPES.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={types.has(t)} onChange={() => setTypes(toggle(types, t))} />
            {enumLabel(t)}
          </label>
        ))}
      </fieldset>
      <PrioritySelect value={priority} onChange={setPriority} />
      <BatchSizeInput value={batchSize} onChange={setBatchSize} />
      <div className="field field-check">
        <input
          id={fullSyncId}
          type="checkbox"
          checked={fullSync}
          onChange={(e) => setFullSync(e.target.checked)}
        />
        <label htmlFor={fullSyncId}>Full sync</label>
      </div>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={state.fetching || count === 0}>
          {state.fetching ? 'Creating…' : `Create ${count} job${count === 1 ? '' : 's'}`}
        </button>
      </div>
      <div className="form-result" aria-live="polite">
        <ErrorMessage error={state.error} title="No job was created" />
        {!state.error && result && (
          <p className="success" data-bulk-result="">
            Created {result.createdCount ?? 0}, deduplicated {result.deduplicatedCount ?? 0} (already queued).
          </p>
        )}
      </div>
    </form>
  );
}

/**
 * Integrations: what is connected (sandbox, ERP or sales channel), whether it takes jobs or is paused by its
 * circuit breaker, how each kind of sync last ended, and a one-click quick sync; creating one of any platform and
 * editing or reconnecting a real one. The list is read again (at most every few seconds) when a job finishes, so
 * "last sync" stays true.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, routes } from '../app/router.tsx';
import type { IntegrationCardFragment, Platform, SyncType } from '../gql/graphql.ts';
import { enumLabel, SYNC_TYPES } from '../graphql/enums.ts';
import { useSubscriptionEvents } from '../graphql/use-subscription-events.ts';
import { JobFinishedSubscription, QuickSyncMutation } from '../jobs/job-operations.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { formatDateTime, formatRelative, shortId } from '../ui/format.ts';
import { EmptyState, Loading } from '../ui/states.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useNow } from '../ui/use-now.ts';
import {
  CreateIntegrationMutation,
  DisableIntegrationMutation,
  EnableIntegrationMutation,
  IntegrationsQuery,
  PlatformsQuery,
  ResumeIntegrationMutation,
} from './integration-operations.ts';
import {
  PlatformIntegrationForm,
  roleLabel,
  type PlatformFormMode,
  type PlatformInfo,
} from './PlatformIntegrationForm.tsx';

const REFRESH_MS = 3_000;
const ALL_STATUSES = { status: ['COMPLETED', 'FAILED', 'CANCELLED', 'RUNNING'] as const };

export function IntegrationsPage() {
  // The typename keeps the list fresh after createIntegration even while it is empty (no Integration in it yet).
  const context = useMemo(() => ({ additionalTypenames: ['Integration', 'SyncJob'] }), []);
  const [result, reexecute] = useQuery({ query: IntegrationsQuery, context });
  const lastRefresh = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(
      () => {
        timer.current = undefined;
        lastRefresh.current = Date.now();
        reexecute({ requestPolicy: 'network-only' });
      },
      Math.max(0, lastRefresh.current + REFRESH_MS - Date.now()),
    );
  }, [reexecute]);
  useEffect(() => () => clearTimeout(timer.current), []);
  useSubscriptionEvents(JobFinishedSubscription, { filter: { status: [...ALL_STATUSES.status] } }, refresh);

  const integrations = result.data?.integrations ?? null;
  const [platformsResult] = useQuery({ query: PlatformsQuery });
  const platforms = platformsResult.data?.platforms ?? [];
  return (
    <div className="page integrations-page">
      <div className="page-title">
        <h1>Integrations</h1>
      </div>
      <NewIntegrationPanel platforms={platforms} />
      <ErrorMessage error={platformsResult.error} title="Could not load the platforms" />
      <section className="panel" aria-labelledby="integrations-title">
        <header className="panel-header">
          <h2 id="integrations-title">Connected</h2>
        </header>
        <ErrorMessage error={result.error} title="Could not load integrations" />
        {!integrations && result.fetching && <Loading label="Loading integrations…" />}
        {integrations && integrations.length === 0 && (
          <EmptyState title="No integrations yet">
            Create a sandbox above: a simulated store kept in Postgres, so you can try everything without
            credentials. Or connect Bling, Mercado Livre or Nuvemshop with their settings and credentials.
          </EmptyState>
        )}
        {integrations && integrations.length > 0 && (
          <ul className="integration-list">
            {integrations.map((integration) => (
              <li key={integration.id}>
                <IntegrationCard
                  integration={integration}
                  platform={platforms.find((p) => p.platform === integration.platform)}
                />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function settingsSummary(settings: unknown): string {
  if (!settings || typeof settings !== 'object') return '';
  const s = settings as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof s.products === 'number') parts.push(`${s.products.toLocaleString()} products`);
  if (typeof s.variantsPerProduct === 'number') parts.push(`×${s.variantsPerProduct} variants`);
  if (typeof s.orders === 'number') parts.push(`${s.orders.toLocaleString()} orders`);
  if (typeof s.warehouses === 'number')
    parts.push(`${s.warehouses} warehouse${s.warehouses === 1 ? '' : 's'}`);
  if (typeof s.latencyMs === 'number') parts.push(`${s.latencyMs} ms latency`);
  if (typeof s.failureRate === 'number' && s.failureRate > 0)
    parts.push(`${Math.round(s.failureRate * 100)}% failures`);
  // Real platforms: which account, and where its API is (an emulator's URL reads differently from production's).
  if (typeof s.storeId === 'string') parts.push(`store ${s.storeId}`);
  if (typeof s.sellerId === 'string') parts.push(`seller ${s.sellerId}`);
  if (typeof s.depositoId === 'number') parts.push(`depósito ${s.depositoId}`);
  if (typeof s.safetyBuffer === 'number' && s.safetyBuffer > 0) parts.push(`buffer ${s.safetyBuffer}`);
  if (typeof s.baseUrl === 'string') parts.push(s.baseUrl);
  return parts.join(' · ');
}

function IntegrationCard({
  integration,
  platform,
}: {
  integration: IntegrationCardFragment;
  platform: PlatformInfo | undefined;
}) {
  const now = useNow(5000);
  const [toggleState, setEnabled] = useMutation(
    integration.enabled ? DisableIntegrationMutation : EnableIntegrationMutation,
  );
  const [editing, setEditing] = useState<PlatformFormMode | null>(null);
  const editable = integration.platform !== 'SANDBOX' && platform?.available === true;
  const lastByType = new Map((integration.lastJobs ?? []).map((j) => [j.syncType, j]));
  const summary = settingsSummary(integration.settings);
  return (
    <article
      className={`integration-card${integration.enabled ? '' : ' integration-disabled'}`}
      aria-label={`Integration ${integration.name ?? integration.id}`}
      data-integration-id={integration.id}
    >
      <header className="integration-header">
        <div>
          <h3>{integration.name ?? integration.id}</h3>
          <p className="muted">
            {platform?.label ?? enumLabel(integration.platform)} ·{' '}
            <span className="integration-role" data-role={platform?.role ?? 'SANDBOX'}>
              {roleLabel(platform?.role)}
            </span>{' '}
            · <span className="mono">{shortId(integration.id)}</span> ·{' '}
            {integration.hasCredentials ? 'credentials stored' : 'no credentials'}
          </p>
          {summary && <p className="muted small">{summary}</p>}
        </div>
        <div className="integration-state">
          {editable && (
            <button
              type="button"
              className="button-small"
              aria-expanded={editing !== null}
              onClick={() => setEditing((v) => (v ? null : { kind: 'edit', integration }))}
            >
              {editing ? 'Close editor' : 'Edit'}
            </button>
          )}
          <span className={`badge ${integration.enabled ? 'badge-completed' : 'badge-cancelled'}`}>
            {integration.enabled ? 'Enabled' : 'Disabled'}
          </span>
          <button
            type="button"
            className="button-small"
            disabled={toggleState.fetching}
            onClick={() => void setEnabled({ id: integration.id })}
          >
            {integration.enabled ? 'Disable' : 'Enable'}
          </button>
        </div>
      </header>
      <ErrorMessage error={toggleState.error} title="Could not change the integration" />
      {integration.pausedAt && (
        <PausedNotice
          integration={integration}
          now={now}
          canReconnect={editable}
          onReconnect={() => setEditing({ kind: 'edit', integration, reconnect: true })}
        />
      )}
      {editing && platform && (
        <PlatformIntegrationForm
          key={editing.kind === 'edit' && editing.reconnect ? 'reconnect' : 'edit'}
          platform={platform}
          mode={editing}
          onDone={() => setEditing(null)}
        />
      )}
      <table className="last-syncs">
        <caption className="visually-hidden">Last sync of each type</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Last sync</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {SYNC_TYPES.map((type) => {
            const job = lastByType.get(type);
            return (
              <tr key={type}>
                <th scope="row">{enumLabel(type)}</th>
                <td>
                  {job?.id ? (
                    <Link to={routes.job(job.id)} aria-label={`Last ${enumLabel(type)} sync, job ${job.id}`}>
                      <StatusBadge status={job.status} />
                    </Link>
                  ) : (
                    <span className="muted">never</span>
                  )}
                  {job?.error?.code && job.error.code !== job.status && (
                    <span className="row-error" title={job.error.message ?? undefined}>
                      {job.error.code}
                    </span>
                  )}
                </td>
                <td>{job ? formatRelative(job.finishedAt ?? job.createdAt, now) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <footer className="integration-footer">
        {integration.enabled && <QuickSync integrationId={integration.id} />}
        <Link to={`${routes.sync()}?integration=${encodeURIComponent(integration.id)}`}>
          Jobs of this integration
        </Link>
      </footer>
    </article>
  );
}

/**
 * The circuit breaker holds the integration: why, since when, until when. Resume lets its jobs try again (an outage
 * that is over); Reconnect opens the form with new credentials (a revoked or expired grant).
 */
function PausedNotice({
  integration,
  now,
  canReconnect,
  onReconnect,
}: {
  integration: IntegrationCardFragment;
  now: number;
  canReconnect: boolean;
  onReconnect: () => void;
}) {
  const [state, resume] = useMutation(ResumeIntegrationMutation);
  return (
    <div className="notice integration-paused" role="status" data-pause-code={integration.pauseCode ?? ''}>
      <p>
        <span className="badge badge-paused">Paused</span>{' '}
        <time dateTime={integration.pausedAt ?? undefined} title={formatDateTime(integration.pausedAt)}>
          since {formatRelative(integration.pausedAt, now)}
        </time>
        {integration.pausedUntil
          ? ` · retries by itself ${formatRelative(integration.pausedUntil, now)}`
          : ''}
      </p>
      <p>
        {integration.pauseCode && <code className="error-code">{integration.pauseCode}</code>}{' '}
        {integration.pauseReason ?? 'Its jobs wait until it is resumed.'}
      </p>
      <div className="action-buttons">
        <button
          type="button"
          className="button-small"
          disabled={state.fetching}
          onClick={() => void resume({ id: integration.id })}
        >
          {state.fetching ? 'Resuming…' : 'Resume'}
        </button>
        {canReconnect && (
          <button type="button" className="button-primary button-small" onClick={onReconnect}>
            Reconnect
          </button>
        )}
      </div>
      <ErrorMessage error={state.error} title="Could not resume the integration" />
    </div>
  );
}

function QuickSync({ integrationId }: { integrationId: string }) {
  const [types, setTypes] = useState<ReadonlySet<SyncType>>(
    () => new Set<SyncType>(['PRODUCTS', 'INVENTORY', 'ORDERS']),
  );
  const [state, quickSync] = useMutation(QuickSyncMutation);
  const chosen = SYNC_TYPES.filter((t) => types.has(t));
  const results = state.data?.quickSync?.results ?? [];
  return (
    <div className="quick-sync">
      <fieldset className="checks inline-checks">
        <legend className="visually-hidden">Types to quick-sync</legend>
        {SYNC_TYPES.filter((t) => t !== 'ALL').map((t) => (
          <label key={t} className="check">
            <input
              type="checkbox"
              checked={types.has(t)}
              onChange={() => {
                const next = new Set(types);
                if (next.has(t)) next.delete(t);
                else next.add(t);
                setTypes(next);
              }}
            />
            {enumLabel(t)}
          </label>
        ))}
      </fieldset>
      <button
        type="button"
        className="button-primary button-small"
        disabled={state.fetching || chosen.length === 0}
        onClick={() => void quickSync({ integrationId, syncTypes: chosen })}
      >
        {state.fetching ? 'Queuing…' : 'Quick sync'}
      </button>
      <ErrorMessage error={state.error} title="Quick sync failed" />
      {!state.error && results.length > 0 && (
        <p className="success small" role="status">
          Queued{' '}
          {results.map((r, i) => (
            <span key={r.job?.id ?? i}>
              {i > 0 && ', '}
              {r.job?.id ? <Link to={routes.job(r.job.id)}>{enumLabel(r.job.syncType)}</Link> : '?'}
              {r.deduplicated ? ' (already queued)' : ''}
            </span>
          ))}
          .
        </p>
      )}
    </div>
  );
}

/**
 * A new integration: pick the platform, then fill in its form. The sandbox keeps its own form (sizes and simulated
 * behaviour); real platforms get the form their schemas describe.
 */
function NewIntegrationPanel({ platforms }: { platforms: readonly PlatformInfo[] }) {
  const pickerId = useId();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<Platform>('SANDBOX');
  const platform = platforms.find((p) => p.platform === chosen);
  return (
    <section className="panel" aria-labelledby="create-integration-title">
      <header className="panel-header">
        <h2 id="create-integration-title">New integration</h2>
        <button type="button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
          {open ? 'Close' : 'New integration'}
        </button>
      </header>
      {open && (
        <>
          <div className="field field-inline platform-picker">
            <label htmlFor={pickerId}>Platform</label>
            <select id={pickerId} value={chosen} onChange={(e) => setChosen(e.target.value as Platform)}>
              <option value="SANDBOX">Sandbox (simulated store)</option>
              {platforms
                .filter((p) => p.platform !== 'SANDBOX')
                .map((p) => (
                  <option key={p.platform} value={p.platform} disabled={!p.available}>
                    {p.label} ({roleLabel(p.role).toLowerCase()})
                    {p.available ? '' : ' — not available in this build'}
                  </option>
                ))}
            </select>
          </div>
          {chosen === 'SANDBOX' && <CreateSandboxForm />}
          {chosen !== 'SANDBOX' && platform && (
            <PlatformIntegrationForm key={chosen} platform={platform} mode={{ kind: 'create' }} />
          )}
        </>
      )}
    </section>
  );
}

/** A SANDBOX integration: how big its simulated store is and how its simulated platform behaves. */
function CreateSandboxForm() {
  const ids = {
    name: useId(),
    products: useId(),
    variants: useId(),
    orders: useId(),
    latency: useId(),
    failure: useId(),
  };
  const [name, setName] = useState('');
  const [products, setProducts] = useState('200');
  const [variants, setVariants] = useState('2');
  const [orders, setOrders] = useState('50');
  const [latencyMs, setLatencyMs] = useState('20');
  const [failurePercent, setFailurePercent] = useState('0');
  const [state, create] = useMutation(CreateIntegrationMutation);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
    const failure = num(failurePercent);
    const settings = Object.fromEntries(
      Object.entries({
        products: num(products),
        variantsPerProduct: num(variants),
        orders: num(orders),
        latencyMs: num(latencyMs),
        failureRate: failure === undefined ? undefined : failure / 100,
      }).filter(([, v]) => v !== undefined),
    );
    void create({ input: { name: name.trim(), platform: 'SANDBOX', settings } }).then((result) => {
      if (result.data?.createIntegration) setName('');
    });
  };

  return (
    <form className="form-grid" onSubmit={submit} aria-label="Create a sandbox integration">
      <div className="field field-wide">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <NumberField id={ids.products} label="Products" value={products} onChange={setProducts} min={0} />
      <NumberField
        id={ids.variants}
        label="Variants per product"
        value={variants}
        onChange={setVariants}
        min={1}
      />
      <NumberField id={ids.orders} label="Orders" value={orders} onChange={setOrders} min={0} />
      <NumberField
        id={ids.latency}
        label="Latency per call (ms)"
        value={latencyMs}
        onChange={setLatencyMs}
        min={0}
      />
      <NumberField
        id={ids.failure}
        label="Failure rate (%)"
        value={failurePercent}
        onChange={setFailurePercent}
        min={0}
        max={100}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={state.fetching}>
          {state.fetching ? 'Creating…' : 'Create integration'}
        </button>
      </div>
      <div className="form-result" aria-live="polite">
        <ErrorMessage error={state.error} title="The integration was not created" />
        {!state.error && state.data?.createIntegration && (
          <p className="success">Created {state.data.createIntegration.name}.</p>
        )}
      </div>
    </form>
  );
}

function NumberField({
  id,
  label,
  value,
  onChange,
  min,
  max,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  min?: number;
  max?: number;
}) {
  return (
    <div className="field field-narrow">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

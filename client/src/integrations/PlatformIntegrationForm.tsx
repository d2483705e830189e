/**
 * Creating or editing an integration of a real platform (Bling, Mercado Livre, Nuvemshop). The inputs come from
 * the server's description of the platform (its zod schemas), so the form asks for exactly what the server checks.
 * Credentials are write-only: their inputs always start empty, and an edit sends none unless the operator chose to
 * replace them (a reconnect). The server's field problems are shown beside each input and in a list above.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { IntegrationCardFragment, PlatformsQuery } from '../gql/graphql.ts';
import { describeApiError } from '../ui/api-error.ts';
import { ErrorMessage } from '../ui/ErrorMessage.tsx';
import { CreateIntegrationMutation, UpdateIntegrationMutation } from './integration-operations.ts';
import {
  buildValues,
  emptyValues,
  fieldProblems,
  hasAnyValue,
  initialSettingsValues,
  type FieldValues,
  type FormField,
} from './platform-form.ts';

export type PlatformInfo = NonNullable<PlatformsQuery['platforms']>[number];

export type PlatformFormMode =
  | { kind: 'create' }
  /** `reconnect` opens with "replace credentials" already chosen. */
  | { kind: 'edit'; integration: IntegrationCardFragment; reconnect?: boolean };

export function roleLabel(role: PlatformInfo['role'] | undefined): string {
  if (role === 'ERP') return 'ERP';
  if (role === 'CHANNEL') return 'Sales channel';
  return 'Sandbox';
}

export function PlatformIntegrationForm({
  platform,
  mode,
  onDone,
}: {
  platform: PlatformInfo;
  mode: PlatformFormMode;
  /** Called after a successful save. */
  onDone?: (integration: IntegrationCardFragment) => void;
}) {
  const idPrefix = useId();
  const editing = mode.kind === 'edit' ? mode.integration : null;
  const settingsFields = platform.settingsFields as FormField[];
  const credentialFields = platform.credentialFields as FormField[];
  const [name, setName] = useState(editing?.name ?? '');
  const [settings, setSettings] = useState<FieldValues>(() =>
    initialSettingsValues(settingsFields, editing ? (editing.settings ?? {}) : undefined),
  );
  const [credentials, setCredentials] = useState<FieldValues>(() => emptyValues(credentialFields));
  const [replaceCredentials, setReplaceCredentials] = useState(
    mode.kind === 'create' || (mode.kind === 'edit' && mode.reconnect === true),
  );
  const [createState, create] = useMutation(CreateIntegrationMutation);
  const [updateState, update] = useMutation(UpdateIntegrationMutation);
  const state = editing ? updateState : createState;
  const [saved, setSaved] = useState<string | null>(null);

  const problems = useMemo(() => describeApiError(state.error), [state.error]);
  const settingsProblems = fieldProblems(problems, 'settings', settingsFields);
  const credentialProblems = fieldProblems(problems, 'credentials', credentialFields);
  const verb = editing ? 'Save' : 'Create';
  const formName = editing
    ? `Edit integration ${editing.name ?? editing.id}`
    : `Create a ${platform.label} integration`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const settingsValue = buildValues(settingsFields, settings);
    const sendCredentials = replaceCredentials && hasAnyValue(credentialFields, credentials);
    const credentialsValue = sendCredentials ? buildValues(credentialFields, credentials) : undefined;
    const done = (integration: IntegrationCardFragment | null | undefined) => {
      if (!integration) return;
      // Typed secrets do not outlive the save.
      setCredentials(emptyValues(credentialFields));
      if (editing) setReplaceCredentials(false);
      else setName('');
      setSaved(`${editing ? 'Saved' : 'Created'} ${integration.name ?? integration.id}.`);
      onDone?.(integration);
    };
    if (editing) {
      void update({
        id: editing.id,
        input: {
          name: name.trim(),
          settings: settingsValue,
          ...(credentialsValue ? { credentials: credentialsValue } : {}),
        },
      }).then((r) => done(r.data?.updateIntegration));
    } else {
      void create({
        input: {
          name: name.trim(),
          platform: platform.platform,
          settings: settingsValue,
          ...(credentialsValue ? { credentials: credentialsValue } : {}),
        },
      }).then((r) => done(r.data?.createIntegration));
    }
  };

  return (
    <form
      className="form-grid platform-form"
      onSubmit={submit}
      aria-label={formName}
      data-platform={platform.platform}
      autoComplete="off"
    >
      <div className="field field-wide">
        <label htmlFor={`${idPrefix}-name`}>Name</label>
        <input id={`${idPrefix}-name`} value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <fieldset className="field-wide form-section">
        <legend>{platform.label} settings</legend>
        <div className="form-grid">
          {settingsFields.map((field) => (
            <FieldInput
              key={field.path}
              id={`${idPrefix}-s-${field.path}`}
              field={field}
              value={settings[field.path] ?? ''}
              onChange={(v) => setSettings((prev) => ({ ...prev, [field.path]: v }))}
              problems={settingsProblems.get(field.path)}
              // On an edit, an emptied input keeps the stored value: nothing forces it to be typed again.
              requiredNow={field.required && !editing}
            />
          ))}
        </div>
      </fieldset>
      {credentialFields.length > 0 && (
        <fieldset className="field-wide form-section" aria-label="Credentials">
          <legend>Credentials</legend>
          <p className="muted small">
            Write-only: stored sealed and never shown again.
            {editing &&
              (editing.hasCredentials
                ? ' Credentials are stored; they stay as they are unless you replace them.'
                : ' None are stored yet.')}
          </p>
          {editing && (
            <label className="check">
              <input
                type="checkbox"
                checked={replaceCredentials}
                onChange={(e) => setReplaceCredentials(e.target.checked)}
              />
              Replace credentials
            </label>
          )}
          {replaceCredentials && (
            <div className="form-grid">
              {credentialFields.map((field) => (
                <FieldInput
                  key={field.path}
                  id={`${idPrefix}-c-${field.path}`}
                  field={field}
                  value={credentials[field.path] ?? ''}
                  onChange={(v) => setCredentials((prev) => ({ ...prev, [field.path]: v }))}
                  problems={credentialProblems.get(field.path)}
                  requiredNow={field.required && editing !== null}
                  secret
                />
              ))}
            </div>
          )}
        </fieldset>
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={state.fetching}>
          {state.fetching ? `${verb === 'Save' ? 'Saving' : 'Creating'}…` : `${verb} integration`}
        </button>
      </div>
      <div className="form-result" aria-live="polite">
        <ErrorMessage
          error={state.error}
          title={editing ? 'The integration was not saved' : 'The integration was not created'}
        />
        {!state.error && saved && <p className="success">{saved}</p>}
      </div>
    </form>
  );
}

function FieldInput({
  id,
  field,
  value,
  onChange,
  problems,
  requiredNow,
  secret = false,
}: {
  id: string;
  field: FormField;
  value: string;
  onChange: (value: string) => void;
  problems: string[] | undefined;
  requiredNow: boolean;
  secret?: boolean;
}) {
  const errorId = `${id}-error`;
  const invalid = problems !== undefined && problems.length > 0;
  const common = {
    id,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? errorId : undefined,
    'data-field': field.path,
  };
  let input;
  if (field.type === 'BOOLEAN') {
    input = (
      <input
        {...common}
        type="checkbox"
        checked={value === 'true'}
        onChange={(e) => onChange(e.target.checked ? 'true' : 'false')}
      />
    );
  } else if (field.type === 'ENUM') {
    input = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)} required={requiredNow}>
        {!field.required && <option value="">(default)</option>}
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = field.type === 'INTEGER' || field.type === 'NUMBER';
    input = (
      <input
        {...common}
        type={
          secret && field.secret ? 'password' : numeric ? 'number' : field.type === 'URL' ? 'url' : 'text'
        }
        inputMode={numeric ? 'decimal' : undefined}
        step={field.type === 'NUMBER' ? 'any' : undefined}
        min={numeric ? (field.minimum ?? undefined) : undefined}
        max={numeric ? (field.maximum ?? undefined) : undefined}
        autoComplete={secret ? 'new-password' : 'off'}
        spellCheck={false}
        placeholder={secret ? undefined : field.required ? 'required' : 'optional'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={requiredNow}
      />
    );
  }
  return (
    <div className={`field${field.path === 'baseUrl' || field.type === 'STRING' ? ' field-wide' : ''}`}>
      <label htmlFor={id}>{field.label}</label>
      {input}
      {invalid && (
        <p className="field-error" id={errorId}>
          {problems.join('; ')}
        </p>
      )}
    </div>
  );
}

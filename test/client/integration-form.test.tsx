// @vitest-environment happy-dom
/**
 * Integrations of real platforms from the dashboard: a platform picker, a form whose inputs are the platform's
 * settings and credential fields (as the `platforms` query describes them), write-only credentials on create, edit
 * and reconnect, and the server's field problems shown beside the inputs.
 */
import { CombinedError } from '@urql/core';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, RouterProvider } from '../../client/src/app/router.tsx';
import type { IntegrationCardFragment, PlatformsQuery } from '../../client/src/gql/graphql.ts';
import { IntegrationsPage } from '../../client/src/integrations/IntegrationsPage.tsx';
import { createMockClient, type MockClient } from './mock-client.ts';

afterEach(cleanup);

type Field = PlatformsQuery['platforms'][number]['settingsFields'][number];

function field(path: string, label: string, type: Field['type'], more: Partial<Field> = {}): Field {
  return {
    path,
    label,
    type,
    required: false,
    secret: false,
    defaultValue: null,
    options: null,
    minimum: null,
    maximum: null,
    ...more,
  };
}

/** The shape the server's `platforms` answer has (its fields come from each definition's zod schemas). */
const PLATFORMS: PlatformsQuery['platforms'] = [
  {
    platform: 'SANDBOX',
    label: 'Sandbox',
    role: null,
    available: true,
    settingsFields: [field('products', 'Products', 'INTEGER', { defaultValue: 50 })],
    credentialFields: [],
  },
  {
    platform: 'BLING',
    label: 'Bling',
    role: 'ERP',
    available: true,
    settingsFields: [
      field('baseUrl', 'Base URL', 'URL', { defaultValue: 'https://api.bling.com.br/Api/v3' }),
      field('depositoId', 'Depósito id', 'INTEGER', { minimum: 0 }),
      field('rateLimit.burst', 'Rate limit: burst', 'INTEGER', { defaultValue: 3, required: false }),
      field('rateLimit.perSecond', 'Rate limit: calls per second', 'NUMBER', { defaultValue: 3 }),
    ],
    credentialFields: [
      field('clientId', 'Client id', 'STRING', { required: true }),
      field('clientSecret', 'Client secret', 'STRING', { required: true, secret: true }),
      field('refreshToken', 'Refresh token', 'STRING', { required: true, secret: true }),
      field('accessToken', 'Access token', 'STRING', { secret: true }),
    ],
  },
  {
    platform: 'MERCADO_LIVRE',
    label: 'Mercado Livre',
    role: 'CHANNEL',
    available: false,
    settingsFields: [],
    credentialFields: [],
  },
  {
    platform: 'NUVEMSHOP',
    label: 'Nuvemshop',
    role: 'CHANNEL',
    available: true,
    settingsFields: [
      field('baseUrl', 'Base URL', 'URL', { defaultValue: 'https://api.nuvemshop.com.br/2025-03' }),
      field('storeId', 'Store id', 'STRING', { required: true }),
      field('userAgent', 'User-Agent', 'STRING', { required: true }),
      field('safetyBuffer', 'Safety buffer', 'INTEGER', { defaultValue: 0, minimum: 0 }),
    ],
    credentialFields: [field('accessToken', 'Access token', 'STRING', { required: true, secret: true })],
  },
];

const NUVEMSHOP_ID = '44444444-4444-4444-8444-444444444444';

function nuvemshopIntegration(overrides: Partial<IntegrationCardFragment> = {}): IntegrationCardFragment {
  return {
    id: NUVEMSHOP_ID,
    name: 'Loja Nuvem',
    platform: 'NUVEMSHOP',
    enabled: true,
    hasCredentials: true,
    settings: {
      baseUrl: 'http://localhost:8103/2025-03',
      storeId: '1234',
      userAgent: 'Sync (ops@example.com)',
      safetyBuffer: 2,
    },
    createdAt: '2026-05-01T10:00:00.000Z',
    pausedAt: null,
    pauseCode: null,
    pauseReason: null,
    pausedUntil: null,
    lastJobs: [],
    ...overrides,
  };
}

function renderPage(options: {
  integrations?: IntegrationCardFragment[];
  mutation?: Parameters<typeof createMockClient>[0]['mutation'];
}): MockClient {
  const mock = createMockClient({
    query: (name) => {
      if (name === 'Integrations') return { integrations: options.integrations ?? [] };
      if (name === 'Platforms') return { platforms: PLATFORMS };
      return undefined;
    },
    ...(options.mutation ? { mutation: options.mutation } : {}),
  });
  render(
    <Provider value={mock.client}>
      <RouterProvider history={createMemoryHistory('/dashboard/integrations')}>
        <IntegrationsPage />
      </RouterProvider>
    </Provider>,
  );
  return mock;
}

function openNew(platform: string) {
  fireEvent.click(screen.getByRole('button', { name: 'New integration' }));
  fireEvent.change(screen.getByLabelText('Platform'), { target: { value: platform } });
}

const inputOf = (form: HTMLElement, label: string) => within(form).getByLabelText<HTMLInputElement>(label);

describe('platform picker and create form', () => {
  it("lists every platform with its role and shows each platform's own fields", () => {
    renderPage({});
    fireEvent.click(screen.getByRole('button', { name: 'New integration' }));
    const picker = screen.getByLabelText<HTMLSelectElement>('Platform');
    const options = [...picker.options].map((o) => ({ text: o.textContent, disabled: o.disabled }));
    expect(options).toEqual([
      { text: 'Sandbox (simulated store)', disabled: false },
      { text: 'Bling (erp)', disabled: false },
      { text: 'Mercado Livre (sales channel) — not available in this build', disabled: true },
      { text: 'Nuvemshop (sales channel)', disabled: false },
    ]);
    // The sandbox keeps its own form.
    expect(screen.getByRole('form', { name: 'Create a sandbox integration' })).toBeTruthy();

    fireEvent.change(picker, { target: { value: 'NUVEMSHOP' } });
    const nuvem = screen.getByRole('form', { name: 'Create a Nuvemshop integration' });
    expect(inputOf(nuvem, 'Base URL').value).toBe('https://api.nuvemshop.com.br/2025-03');
    expect(inputOf(nuvem, 'Store id').required).toBe(true);
    expect(inputOf(nuvem, 'User-Agent').required).toBe(true);
    expect(inputOf(nuvem, 'Safety buffer').value).toBe('0');
    expect(inputOf(nuvem, 'Access token').type).toBe('password');
    expect(inputOf(nuvem, 'Access token').value).toBe('');
    expect(within(nuvem).queryByLabelText('Client id')).toBeNull();

    fireEvent.change(picker, { target: { value: 'BLING' } });
    const bling = screen.getByRole('form', { name: 'Create a Bling integration' });
    expect([...bling.querySelectorAll('[data-field]')].map((i) => i.getAttribute('data-field'))).toEqual([
      'baseUrl',
      'depositoId',
      'rateLimit.burst',
      'rateLimit.perSecond',
      'clientId',
      'clientSecret',
      'refreshToken',
      'accessToken',
    ]);
    expect(inputOf(bling, 'Depósito id').type).toBe('number');
    expect(inputOf(bling, 'Rate limit: burst').value).toBe('3');
    expect(inputOf(bling, 'Client secret').type).toBe('password');
    expect(inputOf(bling, 'Refresh token').type).toBe('password');
    expect(within(bling).queryByLabelText('Store id')).toBeNull();
  });

  it('sends the platform, typed settings (nested paths as objects) and the credentials typed in', async () => {
    const mock = renderPage({
      mutation: () => ({
        data: { createIntegration: { ...nuvemshopIntegration({ platform: 'BLING', name: 'ERP' }) } },
      }),
    });
    openNew('BLING');
    const form = screen.getByRole('form', { name: 'Create a Bling integration' });
    fireEvent.change(inputOf(form, 'Name'), { target: { value: ' ERP ' } });
    fireEvent.change(inputOf(form, 'Base URL'), { target: { value: 'http://localhost:8101/Api/v3' } });
    fireEvent.change(inputOf(form, 'Depósito id'), { target: { value: '2' } });
    fireEvent.change(inputOf(form, 'Rate limit: calls per second'), { target: { value: '1.5' } });
    fireEvent.change(inputOf(form, 'Client id'), { target: { value: 'cid' } });
    fireEvent.change(inputOf(form, 'Client secret'), { target: { value: 's3cret' } });
    fireEvent.change(inputOf(form, 'Refresh token'), { target: { value: 'rt-1' } });
    fireEvent.submit(form);

    expect(mock.mutations).toEqual([
      {
        name: 'CreateIntegration',
        variables: {
          input: {
            name: 'ERP',
            platform: 'BLING',
            settings: {
              baseUrl: 'http://localhost:8101/Api/v3',
              depositoId: 2,
              rateLimit: { burst: 3, perSecond: 1.5 },
            },
            // The optional access token left empty is not sent.
            credentials: { clientId: 'cid', clientSecret: 's3cret', refreshToken: 'rt-1' },
          },
        },
      },
    ]);
    // Typed secrets are cleared once saved.
    await within(form).findByText('Created ERP.');
    expect(inputOf(form, 'Client secret').value).toBe('');
    expect(inputOf(form, 'Refresh token').value).toBe('');
  });

  it("shows the server's field problems next to the inputs they belong to", () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: 'settings.storeId: storeId must be the numeric id of the store (and 1 more problem(s))',
          extensions: {
            code: 'VALIDATION_FAILED',
            details: {
              problems: [
                { path: 'settings.storeId', message: 'storeId must be the numeric id of the store' },
                {
                  path: 'credentials.accessToken',
                  message: 'Too small: expected string to have >=1 characters',
                },
              ],
            },
          },
        },
      ],
    });
    renderPage({ mutation: () => ({ error }) });
    openNew('NUVEMSHOP');
    const form = screen.getByRole('form', { name: 'Create a Nuvemshop integration' });
    fireEvent.change(inputOf(form, 'Name'), { target: { value: 'Loja' } });
    fireEvent.change(inputOf(form, 'Store id'), { target: { value: 'abc' } });
    fireEvent.submit(form);

    const storeId = inputOf(form, 'Store id');
    expect(storeId.getAttribute('aria-invalid')).toBe('true');
    const describedBy = storeId.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toBe(
      'storeId must be the numeric id of the store',
    );
    const token = inputOf(form, 'Access token');
    expect(document.getElementById(token.getAttribute('aria-describedby')!)?.textContent).toContain(
      'expected string',
    );
    expect(inputOf(form, 'User-Agent').getAttribute('aria-invalid')).toBeNull();
    const alert = within(form).getByRole('alert');
    expect(alert.textContent).toContain('VALIDATION_FAILED');
    expect(alert.textContent).toContain('settings.storeId');
  });
});

describe('editing a real integration', () => {
  it('shows the role, prefills settings, never credentials, and an edit without new ones sends none', () => {
    const mock = renderPage({
      integrations: [nuvemshopIntegration()],
      mutation: () => ({ data: { updateIntegration: nuvemshopIntegration({ name: 'Loja Nuvem 2' }) } }),
    });
    const card = screen.getByRole('article', { name: 'Integration Loja Nuvem' });
    expect(card.querySelector('[data-role]')?.textContent).toBe('Sales channel');
    expect(within(card).getByText(/credentials stored/)).toBeTruthy();

    fireEvent.click(within(card).getByRole('button', { name: 'Edit' }));
    const form = within(card).getByRole('form', { name: 'Edit integration Loja Nuvem' });
    expect(inputOf(form, 'Store id').value).toBe('1234');
    expect(inputOf(form, 'Base URL').value).toBe('http://localhost:8103/2025-03');
    expect(inputOf(form, 'Safety buffer').value).toBe('2');
    // Credentials: not even an input until the operator chooses to replace them, and then an empty one.
    expect(within(form).queryByLabelText('Access token')).toBeNull();
    const replace = within(form).getByLabelText<HTMLInputElement>('Replace credentials');
    expect(replace.checked).toBe(false);
    fireEvent.click(replace);
    expect(inputOf(form, 'Access token').value).toBe('');
    expect(inputOf(form, 'Access token').type).toBe('password');
    fireEvent.click(replace);

    fireEvent.change(inputOf(form, 'Name'), { target: { value: 'Loja Nuvem 2' } });
    fireEvent.change(inputOf(form, 'Safety buffer'), { target: { value: '5' } });
    fireEvent.submit(form);
    expect(mock.mutations).toEqual([
      {
        name: 'UpdateIntegration',
        variables: {
          id: NUVEMSHOP_ID,
          input: {
            name: 'Loja Nuvem 2',
            settings: {
              baseUrl: 'http://localhost:8103/2025-03',
              storeId: '1234',
              userAgent: 'Sync (ops@example.com)',
              safetyBuffer: 5,
            },
          },
        },
      },
    ]);
    expect(Object.keys(mock.mutations[0]!.variables.input as object)).not.toContain('credentials');
  });

  it('replacing credentials sends exactly the new ones', () => {
    const mock = renderPage({
      integrations: [nuvemshopIntegration()],
      mutation: () => ({ data: { updateIntegration: nuvemshopIntegration() } }),
    });
    const card = screen.getByRole('article', { name: 'Integration Loja Nuvem' });
    fireEvent.click(within(card).getByRole('button', { name: 'Edit' }));
    const form = within(card).getByRole('form', { name: 'Edit integration Loja Nuvem' });
    fireEvent.click(within(form).getByLabelText('Replace credentials'));
    expect(inputOf(form, 'Access token').required).toBe(true);
    fireEvent.change(inputOf(form, 'Access token'), { target: { value: 'new-token' } });
    fireEvent.submit(form);
    expect(mock.mutations[0]?.variables.input).toMatchObject({ credentials: { accessToken: 'new-token' } });
  });

  it('a sandbox integration has no editor; its role reads Sandbox', () => {
    renderPage({
      integrations: [
        nuvemshopIntegration({ id: 'sbx', name: 'Demo store', platform: 'SANDBOX', hasCredentials: false }),
      ],
    });
    const card = screen.getByRole('article', { name: 'Integration Demo store' });
    expect(card.querySelector('[data-role]')?.textContent).toBe('Sandbox');
    expect(within(card).queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('a paused integration shows why and since when; Resume closes the breaker, Reconnect asks for new credentials', () => {
    const pausedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const mock = renderPage({
      integrations: [
        nuvemshopIntegration({
          pausedAt,
          pauseCode: 'AUTH_FAILED',
          pauseReason: 'Nuvemshop answered 401: Invalid access token',
          pausedUntil: null,
        }),
      ],
      mutation: () => ({ data: { resumeIntegration: nuvemshopIntegration({ pausedAt: null }) } }),
    });
    const card = screen.getByRole('article', { name: 'Integration Loja Nuvem' });
    const notice = within(card).getByRole('status');
    expect(notice.textContent).toContain('Paused');
    expect(notice.textContent).toMatch(/since 5 min \d+ s ago/);
    expect(notice.textContent).toContain('AUTH_FAILED Nuvemshop answered 401: Invalid access token');
    expect(notice.querySelector('time')?.getAttribute('dateTime')).toBe(pausedAt);

    fireEvent.click(within(notice).getByRole('button', { name: 'Resume' }));
    expect(mock.mutations).toEqual([{ name: 'ResumeIntegration', variables: { id: NUVEMSHOP_ID } }]);

    fireEvent.click(within(notice).getByRole('button', { name: 'Reconnect' }));
    const form = within(card).getByRole('form', { name: 'Edit integration Loja Nuvem' });
    expect(within(form).getByLabelText<HTMLInputElement>('Replace credentials').checked).toBe(true);
    expect(inputOf(form, 'Access token').value).toBe('');
  });

  it('an integration that is not paused shows no notice', () => {
    renderPage({ integrations: [nuvemshopIntegration({ pausedAt: null })] });
    const card = screen.getByRole('article', { name: 'Integration Loja Nuvem' });
    expect(within(card).queryByRole('status')).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Resume' })).toBeNull();
  });
});

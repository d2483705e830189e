/**
 * Access control for one API process: authenticates keys, applies the policy, gives each request a view of the
 * services that records audited actions under the request's principal, serves key management and the audit
 * log, and closes a revoked key's connections and drops it from the key cache. REST and GraphQL (HTTP, SSE,
 * graphql-ws) all go through it.
 */
import { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import type { AccessOperations, SchemaContext } from '../../schema/context.ts';
import type { Logger } from '../logger.ts';
import { createApiKeyService, type ApiKeyService } from './api-key-service.ts';
import { createAuditTrail, type AuditTrail } from './audit-trail.ts';
import { createAuthenticator } from './authenticator.ts';
import { AUDITED_METHODS, authorize, type AuthMode, type Operation } from './policy.ts';
import type { Principal } from './principal.ts';
import { createRevocationHub, type RevocationHub } from './revocation.ts';

export type ServiceLayer = Omit<SchemaContext, 'principal' | 'access'>;

export interface AccessControl {
  readonly mode: AuthMode;
  readonly keys: ApiKeyService;
  readonly audit: AuditTrail;
  readonly revocations: RevocationHub;
  /** See Authenticator.authenticate. */
  authenticate(authorization: string | null | undefined): Promise<Principal | null>;
  /** Throws UNAUTHENTICATED or FORBIDDEN. */
  authorize(principal: Principal | null, operation: Operation): void;
  /** The services as `principal` may call them: audited methods record who called them. */
  contextFor(principal: Principal | null): SchemaContext;
  close(): Promise<void>;
}

/** `target` of an audit entry: the id or name the call acted on, else the id of what it created. */
function auditTarget(args: unknown[], result: unknown): string | null {
  if (typeof args[0] === 'string') return args[0];
  const r = result as { id?: unknown; key?: { id?: unknown }; job?: { id?: unknown } } | null;
  const id = r?.id ?? r?.key?.id ?? r?.job?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function auditArgs(args: unknown[], result: unknown): unknown {
  const rest = typeof args[0] === 'string' ? args.slice(1) : args;
  const created = (result as { job?: { id?: unknown } } | null)?.job?.id;
  const out: Record<string, unknown> = {};
  if (rest.length === 1) out.input = rest[0];
  else if (rest.length > 1) out.input = rest;
  if (typeof created === 'string' && created !== args[0]) out.resultJobId = created;
  return out;
}

function audited<T extends object>(
  service: T,
  name: string,
  record: (action: string, target: string | null, args: unknown) => Promise<void>,
): T {
  const methods = AUDITED_METHODS[name] ?? [];
  return new Proxy(service, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !methods.includes(property))
        return value;
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await record(`${name}.${property}`, auditTarget(args, result), auditArgs(args, result));
        return result;
      };
    },
  });
}

export function createAccessControl(options: {
  mode: AuthMode;
  db: Database;
  redisUrl: string;
  prefix: string;
  publisher: Redis;
  services: ServiceLayer;
  log: Logger;
}): AccessControl {
  const { db, log, services, mode } = options;
  const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'redis revocation subscriber error'));
  const revocations = createRevocationHub({
    prefix: options.prefix,
    publisher: options.publisher,
    subscriber,
    log,
  });
  const keys = createApiKeyService({ db, announceRevocation: (id) => revocations.announce(id) });
  const audit = createAuditTrail({ db, log });
  const authenticator = createAuthenticator({ db, log });
  // A revoked key leaves this process's key cache at once, whichever process revoked it.
  revocations.onRevoked((keyId) => authenticator.forget(keyId));
  // While the subscriber was away revocations may have been missed: trust no cached key after a (re)connect.
  subscriber.on('ready', () => authenticator.forgetAll());

  const access: AccessOperations = {
    authRequired: mode === 'required',
    createApiKey: (input) => keys.create(input),
    apiKeys: (o) => keys.list(o),
    revokeApiKey: (id) => keys.revoke(id),
    auditLog: (filter, page) => audit.list(filter, page),
  };

  return {
    mode,
    keys,
    audit,
    revocations,
    authenticate: (authorization) => authenticator.authenticate(authorization),
    authorize: (principal, operation) => authorize(principal, operation, mode),
    contextFor(principal) {
      const record = (action: string, target: string | null, args: unknown) =>
        audit.record(principal, action, target, args);
      return {
        jobs: audited(services.jobs, 'jobs', record),
        integrations: audited(services.integrations, 'integrations', record),
        live: services.live,
        schedules: audited(services.schedules, 'schedules', record),
        monitor: audited(services.monitor, 'monitor', record),
        access: audited(access, 'access', record),
        principal,
      };
    },
    close: () => revocations.close(),
  };
}

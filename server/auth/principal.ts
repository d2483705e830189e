/**
 * Who is calling: the API key a request was made with. Roles are ordered; each can do everything the one before
 * it can (viewer < operator < admin).
 */
import { API_KEY_ROLES, type ApiKeyRole } from '../../db/types.ts';

export type Role = ApiKeyRole;
export const ROLES = API_KEY_ROLES;

/** The caller of a request; null when no key was given (allowed only while API auth is off). */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

/** Whether `role` is at least `minimum`. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/**
 * What a Nuvemshop integration stores: its settings (which store, how to identify the app) and its credentials
 * (a static access token; Nuvemshop tokens do not expire until the app is reinstalled or uninstalled).
 */
import { z } from 'zod';

export const NUVEMSHOP_DEFAULT_BASE_URL = 'https://api.nuvemshop.com.br/2025-03';

export const nuvemshopSettingsSchema = z
  .object({
    /** API root including the version, without the store id, e.g. `https://api.nuvemshop.com.br/2025-03`. */
    baseUrl: z
      .url()
      .default(NUVEMSHOP_DEFAULT_BASE_URL)
      .transform((url) => url.replace(/\/+$/, '')),
    /** The store's numeric id (`user_id` of the OAuth grant). */
    storeId: z.coerce.string().regex(/^\d{1,20}$/, 'storeId must be the numeric id of the store'),
    /**
     * Nuvemshop answers 400 to a call without a User-Agent naming the app and a contact: `MyApp (dev@example.com)`.
     */
    userAgent: z
      .string()
      .trim()
      .regex(/^[^()]+\(\s*[^()\s]+@[^()\s]+\s*\)$/, 'userAgent must look like "App name (contact@email)"'),
    /** Units the hub holds back from the storefront: it pushes max(0, on hand − reserved − safetyBuffer). */
    safetyBuffer: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export type NuvemshopSettings = z.infer<typeof nuvemshopSettingsSchema>;

export const nuvemshopCredentialsSchema = z
  .object({
    accessToken: z.string().trim().min(1),
  })
  .strict();

export type NuvemshopCredentials = z.infer<typeof nuvemshopCredentialsSchema>;

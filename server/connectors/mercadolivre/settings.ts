/**
 * What a Mercado Livre integration stores: its settings (which seller, where new listings go, how fast to call)
 * and its credentials (the app's client id and secret and the seller's OAuth tokens; the refresh token is
 * single-use, so after the first refresh the token store, not these credentials, holds the live one).
 */
import { z } from 'zod';
import { oauthCredentialsSchema } from '../http/oauth-grant.ts';

export const MERCADO_LIVRE_DEFAULT_BASE_URL = 'https://api.mercadolibre.com';

export const mercadoLivreSettingsSchema = z
  .object({
    /** API root, e.g. `https://api.mercadolibre.com` (an emulator's URL in tests). */
    baseUrl: z
      .url()
      .default(MERCADO_LIVRE_DEFAULT_BASE_URL)
      .transform((url) => url.replace(/\/+$/, '')),
    /** The seller's numeric user id (`user_id` of the OAuth grant). */
    sellerId: z.coerce.string().regex(/^\d{1,20}$/, 'sellerId must be the numeric id of the seller'),
    /** Units the hub holds back from the marketplace: it pushes max(0, on hand − reserved − safetyBuffer). */
    safetyBuffer: z.number().int().min(0).max(1_000_000).default(0),
    /** Category of listings created for SKUs that have none yet (e.g. `MLB1055`); without it none are created. */
    categoryId: z
      .string()
      .regex(/^MLB\d+$/, 'categoryId must be a Mercado Livre Brasil category id such as MLB1055')
      .optional(),
    listingTypeId: z.enum(['free', 'gold_special', 'gold_pro']).default('gold_special'),
    condition: z.enum(['new', 'used']).default('new'),
    /**
     * Mercado Livre does not publish its limits (per app and per seller) and answers 429 beyond them; these
     * keep the integration under them, and a 429 still backs off.
     */
    rateLimit: z
      .object({
        burst: z.number().int().min(1).max(1000),
        perSecond: z.number().positive().max(1000),
      })
      .strict()
      .default({ burst: 10, perSecond: 5 }),
  })
  .strict();

export type MercadoLivreSettings = z.infer<typeof mercadoLivreSettingsSchema>;

/** Client id and secret of the app, and the grant's refresh token (plus, optionally, a live access token). */
export const mercadoLivreCredentialsSchema = oauthCredentialsSchema;

export type MercadoLivreCredentials = z.infer<typeof mercadoLivreCredentialsSchema>;

/**
 * What a Bling integration stores: its settings (where the API is, which depósito's stock counts, which contact
 * and loja imported orders get, how fast to call) and its credentials (the app's client id and secret and the
 * account's OAuth tokens; refresh tokens rotate, so after the first refresh the token store holds the live one).
 */
import { z } from 'zod';
import { oauthCredentialsSchema } from '../http/oauth-grant.ts';

export const BLING_DEFAULT_BASE_URL = 'https://api.bling.com.br/Api/v3';

const blingId = z.coerce.number().int().positive();

export const blingSettingsSchema = z
  .object({
    /** API root including `/Api/v3` (an emulator's URL in tests). */
    baseUrl: z
      .url()
      .default(BLING_DEFAULT_BASE_URL)
      .transform((url) => url.replace(/\/+$/, '')),
    /** The depósito whose balance is the stock of record; without it every depósito is reported on its own. */
    depositoId: blingId.optional(),
    /** The contact (customer) imported orders are filed under; Bling refuses an order without one. */
    contactId: blingId.optional(),
    /** Bling's loja id per sales channel, stored on imported orders beside the channel's order number. */
    stores: z
      .object({ MERCADO_LIVRE: blingId.optional(), NUVEMSHOP: blingId.optional(), BLING: blingId.optional() })
      .strict()
      .default({}),
    /**
     * Bling allows 3 calls per second per account, shared by every app of the account, and counts them per clock
     * second. One call at a time, 2.5 per second, keeps any four calls more than a second apart even when the
     * network bunches them up, so the limit is never hit.
     */
    rateLimit: z
      .object({
        burst: z.number().int().min(1).max(100),
        perSecond: z.number().positive().max(100),
      })
      .strict()
      .default({ burst: 1, perSecond: 2.5 }),
  })
  .strict();

export type BlingSettings = z.infer<typeof blingSettingsSchema>;

/** Client id and secret of the app, and the grant's refresh token (plus, optionally, a live access token). */
export const blingCredentialsSchema = oauthCredentialsSchema;

export type BlingCredentials = z.infer<typeof blingCredentialsSchema>;

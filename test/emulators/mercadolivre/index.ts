/**
 * The Mercado Livre emulator and its seed helpers, for connector and hub tests.
 *
 * ```ts
 * const emu = await startMercadoLivreEmulator({ searchLagMs: 2000, rateLimit: { capacity: 10, refillPerSecond: 5 } });
 * const { items } = emu.seed({ items: buildMlCatalog({ products: 10, variantsPerProduct: 3 }) });
 * emu.seed({ orders: buildMlOrders({ count: 50, startMs: Date.now() - 3600_000, perSecond: 3, items }) });
 * const t = emu.issueTokens();                 // as if the seller had just authorised the app
 * // integration settings:    { baseUrl: emu.url, sellerId: String(emu.sellerId), categoryId: 'MLB1055' }
 * // integration credentials: { clientId: emu.client.clientId, clientSecret: emu.client.clientSecret,
 * //                            refreshToken: t.refreshToken, accessToken: t.accessToken, expiresAt: t.expiresAt.toISOString() }
 * emu.clock.advance(6 * 3600_000);             // the access token is now dead (401); a refresh rotates it
 * emu.refreshLog();                            // every refresh_token grant: token used, outcome, token issued
 * emu.updateOrder(id, { status: 'cancelled' }); // date_last_updated moves to now (end of a date_asc search)
 * emu.state.revokeSeller(emu.sellerId);        // every token of the seller dies (password change)
 * ```
 * Faults, the request log and the admin API (`POST /__admin/seed` takes the same JSON as `emu.seed`) come from
 * the shared kit.
 */
export {
  ML_DEFAULT_CLIENT,
  ML_DEFAULT_SELLER_ID,
  startMercadoLivreEmulator,
  type MercadoLivreEmulator,
  type MercadoLivreEmulatorOptions,
  type MlRateLimit,
} from './server.ts';
export {
  buildMlCatalog,
  buildMlOrders,
  loadMlSeed,
  mlSeedSchema,
  type MlSeed,
  type MlSeedItem,
  type MlSeedOrder,
  type MlSeedResult,
} from './seed.ts';
export { formatMlDate, type IssuedTokens, type RefreshLogEntry } from './state.ts';

/** The Mercado Livre emulator and its seed helpers, for connector and hub tests. */
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

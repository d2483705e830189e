/** The Bling API v3 emulator: start it, seed it, point a Bling connector's `baseUrl` at its `url`. */
export {
  SAO_PAULO_OFFSET_MIN,
  startBlingEmulator,
  type BlingEmulator,
  type BlingEmulatorOptions,
  type BlingOrderRecord,
  type BlingProductRecord,
} from './emulator.ts';
export { blingSeedSchema, sampleBlingSeed, seedBling, type BlingSeed, type BlingSeedResult } from './seed.ts';

/** The Nuvemshop emulator for tests: start it on port 0, seed stores, inspect its request log. */
export { startNuvemshopEmulator, type NuvemshopEmulator, type NuvemshopEmulatorOptions } from './emulator.ts';
export {
  buildNuvemshopStoreSeed,
  loadNuvemshopSeed,
  nuvemshopSeedSchema,
  type NuvemshopSeed,
  type NuvemshopStoreSeed,
  type SeededStore,
} from './seed.ts';
export type { EmuOrder, EmuProduct, EmuVariant } from './state.ts';

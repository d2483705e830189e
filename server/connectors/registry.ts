/**
 * The real platforms this build can connect to, keyed by the integration's `platform`: each entry is the
 * platform's definition (settings and credentials schemas, role, and the factory of its connector).
 */
import { blingPlatform } from './bling/index.ts';
import { mercadoLivrePlatform } from './mercadolivre/index.ts';
import { nuvemshopPlatform } from './nuvemshop/index.ts';
import { REAL_PLATFORMS, type PlatformDefinition, type RealPlatform } from './platform.ts';

const definitions: Partial<Record<RealPlatform, PlatformDefinition>> = {
  BLING: blingPlatform,
  MERCADO_LIVRE: mercadoLivrePlatform,
  NUVEMSHOP: nuvemshopPlatform,
};

export function isRealPlatform(platform: string): platform is RealPlatform {
  return (REAL_PLATFORMS as readonly string[]).includes(platform);
}

/** The definition of a real platform; undefined for the sandbox and for a platform this build lacks. */
export function getPlatformDefinition(platform: string): PlatformDefinition | undefined {
  return isRealPlatform(platform) ? definitions[platform] : undefined;
}

/**
 * The Bling emulator's seed format (POST /__admin/seed, or `seedBling(emulator, seed)` from a test). Seeding is an
 * upsert: products are matched by SKU (`codigo`), so seeding a product again edits it and stamps a new
 * `dataAlteracao` on the emulator clock (or the given `updatedAt`). `config` changes the emulator's behaviour
 * at run time (lag, token TTL, limits).
 */
import { z } from 'zod';

const money = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).transform(Number);
/** ISO-8601 or epoch ms. */
const instant = z
  .union([z.number(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v).getTime());

export const blingSeedSchema = z.strictObject({
  /** Depósitos. Default: one, id 1, "Geral", the default one. */
  warehouses: z
    .array(
      z.strictObject({ id: z.number().int().positive(), name: z.string(), default: z.boolean().optional() }),
    )
    .optional(),
  products: z
    .array(
      z.strictObject({
        sku: z.string().min(1),
        name: z.string().min(1),
        price: money,
        updatedAt: instant.optional(),
        active: z.boolean().optional(),
        /** Variations become products of their own with `idProdutoPai`; the parent gets formato "V". */
        variations: z
          .array(
            z.strictObject({
              sku: z.string().min(1),
              name: z.string().optional(),
              price: money.optional(),
              updatedAt: instant.optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  /** Physical balance of a SKU in a depósito (absolute). */
  stock: z
    .array(
      z.strictObject({
        sku: z.string(),
        warehouseId: z.number().int().positive().optional(),
        quantity: z.number(),
      }),
    )
    .optional(),
  orders: z
    .array(
      z.strictObject({
        numeroLoja: z.string().optional(),
        storeId: z.number().int().optional(),
        contactId: z.number().int().positive().optional(),
        date: z.string().optional(),
        items: z.array(z.strictObject({ sku: z.string(), quantity: z.number().positive(), price: money })),
      }),
    )
    .optional(),
  auth: z
    .strictObject({
      /** Registers these tokens as issued (e.g. the credentials a test stores for the integration). */
      accessToken: z.string().optional(),
      accessExpiresAt: instant.optional(),
      refreshToken: z.string().optional(),
      /** Every issued token dies (a revoked app). */
      revokeAll: z.boolean().optional(),
    })
    .optional(),
  config: z
    .strictObject({
      lagMs: z.number().int().min(0).optional(),
      accessTokenTtlMs: z.number().int().positive().optional(),
      perSecond: z.number().int().positive().optional(),
      dailyQuota: z.number().int().positive().optional(),
    })
    .optional(),
});

export type BlingSeed = z.input<typeof blingSeedSchema>;
export type ParsedBlingSeed = z.output<typeof blingSeedSchema>;

export interface BlingSeedResult {
  /** SKU → Bling product id (parents and variations). */
  products: Record<string, number>;
  /** Order ids in seed order. */
  orders: number[];
}

/** Seeds an emulator over its admin API, as any test or script can. */
export async function seedBling(target: { url: string }, seed: BlingSeed): Promise<BlingSeedResult> {
  const res = await fetch(`${target.url}/__admin/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(seed),
  });
  const body = (await res.json()) as { ok?: boolean; result?: BlingSeedResult; error?: string };
  if (!res.ok || !body.result) throw new Error(`Bling seed refused (${res.status}): ${JSON.stringify(body)}`);
  return body.result;
}

/** A catalog for demos and tests: `count` simple products, every fifth with two variations, stock in two depósitos. */
export function sampleBlingSeed(count = 25): BlingSeed {
  const products: NonNullable<BlingSeed['products']> = [];
  const stock: NonNullable<BlingSeed['stock']> = [];
  for (let i = 1; i <= count; i++) {
    const sku = `SKU-${String(i).padStart(4, '0')}`;
    const withVariations = i % 5 === 0;
    products.push({
      sku,
      name: `Produto ${i}`,
      price: (10 + i).toFixed(2),
      ...(withVariations
        ? { variations: ['P', 'G'].map((size) => ({ sku: `${sku}-${size}`, name: `Produto ${i} ${size}` })) }
        : {}),
    });
    const sellable = withVariations ? [`${sku}-P`, `${sku}-G`] : [sku];
    for (const s of sellable) {
      stock.push({ sku: s, warehouseId: 1, quantity: i * 2 }, { sku: s, warehouseId: 2, quantity: i });
    }
  }
  return {
    warehouses: [
      { id: 1, name: 'Geral', default: true },
      { id: 2, name: 'Loja física' },
    ],
    products,
    stock,
  };
}

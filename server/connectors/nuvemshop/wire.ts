/**
 * The parts of Nuvemshop's JSON the connector reads, checked with zod so a changed payload fails loudly instead
 * of syncing garbage. Ids are numbers on the wire and strings in the hub; timestamps carry an offset
 * (`2025-03-01T10:00:00-03:00`, older stores `+0000`).
 */
import { z } from 'zod';

const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

/** Decimal amounts arrive as strings ("129.90") or, from some endpoints, numbers. */
const amount = z
  .union([z.string(), z.number()])
  .transform((value) => {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? n.toFixed(2) : null;
  })
  .pipe(z.string());

/** ISO 8601 with an offset; `+0000` (no colon) is accepted as well as `+00:00`. */
const timestamp = z.string().transform((value, ctx) => {
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a timestamp: ${value}` });
    return z.NEVER;
  }
  return new Date(ms);
});

export const variantSchema = z.object({
  id,
  product_id: id,
  sku: z.string().nullable().optional(),
  price: z.union([z.string(), z.number()]).nullable().optional(),
  stock: z.number().int().nullable().optional(),
});

export const productSchema = z.object({
  id,
  variants: z.array(variantSchema),
});

export type WireProduct = z.infer<typeof productSchema>;

export const orderSchema = z.object({
  id,
  status: z.string(),
  payment_status: z.string().nullable().optional(),
  shipping_status: z.string().nullable().optional(),
  total: amount,
  created_at: timestamp,
  updated_at: timestamp,
  products: z.array(
    z.object({
      sku: z.string().nullable().optional(),
      quantity: z.coerce.number().int(),
      price: amount,
    }),
  ),
});

export type WireOrder = z.infer<typeof orderSchema>;

export const orderListSchema = z.array(orderSchema);

/**
 * The 422 a bulk variant update answers when some variants cannot be written: nothing is written, and each
 * failing variant is listed with the reason.
 */
export const variantBulkErrorSchema = z.object({
  failed_variants: z.array(z.object({ id, description: z.string().optional() })),
});

/** Nuvemshop's error body. */
export const errorBodySchema = z.object({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  description: z.unknown().optional(),
});

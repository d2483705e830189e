/**
 * Mercado Livre response shapes, only the fields the connector reads. Ids arrive as numbers (orders, packs,
 * variations, users) or strings (items); they are kept as strings. Dates carry their offset (ML writes −04:00).
 */
import { z } from 'zod';

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const date = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const money = z.number().transform((n) => n.toFixed(2));

export const userSchema = z.object({ id });

const attributeSchema = z.object({
  id: z.string(),
  value_name: z.string().nullable().optional(),
});

/** The SELLER_SKU attribute's value, trimmed; null when absent or empty. */
export function sellerSkuOf(
  attributes: readonly z.infer<typeof attributeSchema>[] | undefined,
): string | null {
  const value = attributes?.find((a) => a.id === 'SELLER_SKU')?.value_name?.trim();
  return value ? value : null;
}

export const itemSchema = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
  attributes: z.array(attributeSchema).optional(),
  variations: z
    .array(
      z.object({
        id,
        attributes: z.array(attributeSchema).optional(),
      }),
    )
    .optional(),
});

export type WireItem = z.infer<typeof itemSchema>;

/** `GET /items?ids=…`: one entry per id, each with its own status code. */
export const multigetSchema = z.array(
  z.object({
    code: z.number().int(),
    body: z.unknown(),
  }),
);

export const itemSearchSchema = z.object({
  results: z.array(z.string()),
  paging: z.object({ total: z.number().int().min(0) }).optional(),
  scroll_id: z.string().nullable().optional(),
});

export const createdItemSchema = z.object({ id: z.string().min(1) });

/** `{message, error, status, cause:[{code, message}]}` */
export const errorBodySchema = z.object({
  message: z.string().optional(),
  error: z.string().optional(),
  cause: z
    .array(z.union([z.object({ code: z.string().optional(), message: z.string().optional() }), z.string()]))
    .optional(),
});

export const orderSchema = z.object({
  id,
  status: z.string(),
  pack_id: id.nullable().optional(),
  date_created: date,
  date_last_updated: date.optional(),
  last_updated: date.optional(),
  total_amount: money,
  tags: z.array(z.string()).optional(),
  order_items: z.array(
    z.object({
      item: z.object({
        id: z.string(),
        variation_id: id.nullable().optional(),
        seller_sku: z.string().nullable().optional(),
        seller_custom_field: z.string().nullable().optional(),
      }),
      quantity: z.number().int(),
      unit_price: money,
    }),
  ),
});

export type WireOrder = z.infer<typeof orderSchema>;

export const orderSearchSchema = z.object({
  results: z.array(orderSchema),
  paging: z.object({ total: z.number().int().min(0) }).optional(),
});

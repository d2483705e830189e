/**
 * The parts of Bling API v3's JSON the connector reads, checked with zod. Results come wrapped in `{ data }`;
 * errors in `{ error: { type, message, description, fields? } }`. Unknown fields are ignored.
 */
import { z } from 'zod';

const id = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

export const productSchema = z.object({
  id,
  idProdutoPai: id.nullish(),
  nome: z.string(),
  codigo: z.string().nullish(),
  preco: z.union([z.number(), z.string()]).transform(Number),
  formato: z.string().nullish(),
  situacao: z.string().nullish(),
  dataAlteracao: z.string().nullish(),
});
export type WireProduct = z.infer<typeof productSchema>;

export const productListSchema = z.object({ data: z.array(productSchema) });

export const balanceListSchema = z.object({
  data: z.array(
    z.object({
      produto: z.object({ id, codigo: z.string().nullish() }),
      saldoFisicoTotal: z.number(),
      depositos: z.array(z.object({ id, saldoFisico: z.number() })).optional(),
    }),
  ),
});

export const orderListSchema = z.object({
  data: z.array(
    z.object({
      id,
      numeroLoja: z.string().nullish(),
      loja: z.object({ id }).nullish(),
    }),
  ),
});

export const createdSchema = z.object({ data: z.object({ id }) });

export const errorBodySchema = z.object({
  error: z.object({
    type: z.string().optional(),
    message: z.string().optional(),
    description: z.string().optional(),
    fields: z.array(z.object({ msg: z.string().optional(), element: z.string().optional() })).optional(),
  }),
});

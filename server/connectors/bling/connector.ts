/**
 * The Bling ERP connector: reads the catalog and stock of record, and files channel orders as sales orders.
 * - Products: `GET /produtos?pagina&limite`, page by page until a short page. Incremental reads filter on
 *   `dataAlteracaoInicial` in São Paulo local time, at Bling's 1-s resolution and inclusive, so records stamped in
 *   the same second as the watermark are read again (the caller deduplicates). Bling refuses a date range over
 *   one year, so an older watermark is read in windows of at most `WINDOW_MS`. Parents of variations (formato
 *   "V") are not SKUs of their own: their variations, listed with `idProdutoPai`, are.
 * - Stock: one products page, then `GET /estoques/saldos[/{depósito}]?idsProdutos[]` for its SKUs. Stock moves do
 *   not change a product's `dataAlteracao`, so every stock read is a full read.
 * - Orders: Bling does not deduplicate `numeroLoja`, so an import first looks the channel order number up and
 *   skips it when present; a dry run stops after that look-up.
 * The cursor is the page number, prefixed with the window's start when the read is windowed (`<ms>:<page>`).
 */
import { PermanentError } from '../../errors.ts';
import type { Page } from '../connector.ts';
import { PlatformRequestError } from '../http/errors.ts';
import type { PlatformHttp } from '../http/types.ts';
import type {
  ErpConnector,
  ErpProduct,
  ErpStockLevel,
  IncrementalQuery,
  OrderForErp,
  PlatformLimits,
  PlatformWriteOptions,
} from '../platform.ts';
import { describeBlingError } from './errors.ts';
import type { BlingSettings } from './settings.ts';
import { fromBlingDateTime, toBlingDate, toBlingDateTime } from './time.ts';
import {
  balanceListSchema,
  createdSchema,
  orderListSchema,
  productListSchema,
  type WireProduct,
} from './wire.ts';

export const BLING_MAX_PAGE_SIZE = 100;

export const blingLimits: PlatformLimits = { maxPageSize: BLING_MAX_PAGE_SIZE, maxBatchWrite: 100 };

/** Shorter than Bling's one-year limit so the two clocks may disagree by days without a 400. */
export const WINDOW_MS = 360 * 24 * 3600_000;

interface ProductCursor {
  page: number;
  /** Start of the current window (ms) when the read is windowed. */
  windowFrom: number | null;
}

function decodeCursor(cursor: string | undefined): ProductCursor {
  if (cursor === undefined) return { page: 1, windowFrom: null };
  const m = /^(?:(\d+):)?(\d+)$/.exec(cursor);
  if (!m) throw new PermanentError('The Bling cursor is not valid', 'INVALID_CURSOR');
  return { page: Number(m[2]), windowFrom: m[1] === undefined ? null : Number(m[1]) };
}

function encodeCursor(c: ProductCursor): string {
  return c.windowFrom === null ? String(c.page) : `${c.windowFrom}:${c.page}`;
}

interface ProductPage {
  rows: WireProduct[];
  next?: string;
}

function toErpProduct(p: WireProduct, fallbackUpdatedAt: Date): ErpProduct | null {
  const sku = p.codigo?.trim();
  // A parent of variations is not sellable, and a product without a code cannot be joined by SKU.
  if (!sku || p.formato === 'V') return null;
  return {
    sku,
    name: p.nome,
    price: Number.isFinite(p.preco) ? p.preco.toFixed(2) : '0.00',
    externalId: String(p.id),
    parentExternalId: p.idProdutoPai ? String(p.idProdutoPai) : null,
    updatedAt: (p.dataAlteracao ? fromBlingDateTime(p.dataAlteracao) : null) ?? fallbackUpdatedAt,
  };
}

export function createBlingConnector(http: PlatformHttp, settings: BlingSettings): ErpConnector {
  async function productPage(
    q: Pick<IncrementalQuery, 'updatedSince' | 'cursor' | 'pageSize' | 'signal'>,
    incremental: boolean,
  ): Promise<ProductPage> {
    const limit = Math.max(1, Math.min(q.pageSize, BLING_MAX_PAGE_SIZE));
    const cursor = decodeCursor(q.cursor);
    const now = Date.now();
    let from: number | null = null;
    let to: number | null = null;
    if (incremental && q.updatedSince) {
      from = cursor.windowFrom ?? q.updatedSince.getTime();
      if (now - from > WINDOW_MS) to = from + WINDOW_MS - 1000;
    }
    const res = await http.request<unknown>({
      method: 'GET',
      path: '/produtos',
      query: {
        pagina: cursor.page,
        limite: limit,
        ...(from !== null ? { dataAlteracaoInicial: toBlingDateTime(new Date(from)) } : {}),
        ...(to !== null ? { dataAlteracaoFinal: toBlingDateTime(new Date(to)) } : {}),
      },
      signal: q.signal,
    });
    const rows = productListSchema.parse(res.body).data;
    let next: string | undefined;
    if (rows.length >= limit)
      next = encodeCursor({ page: cursor.page + 1, windowFrom: to !== null ? from : null });
    else if (to !== null) next = encodeCursor({ page: 1, windowFrom: to + 1000 });
    return next === undefined ? { rows } : { rows, next };
  }

  function orderPayload(order: OrderForErp, contactId: number) {
    const storeId = settings.stores[order.channel];
    return {
      numeroLoja: order.externalId,
      data: toBlingDate(order.createdAt),
      ...(storeId ? { loja: { id: storeId } } : {}),
      contato: { id: contactId },
      itens: order.lines.map((line) => ({
        codigo: line.sku,
        quantidade: line.quantity,
        valor: Number(line.unitPrice),
      })),
      observacoesInternas: `Pedido ${order.externalId} importado de ${order.channel}`,
    };
  }

  async function findOrder(order: OrderForErp, signal: AbortSignal): Promise<string | null> {
    const storeId = settings.stores[order.channel];
    const res = await http.request<unknown>({
      method: 'GET',
      path: '/pedidos/vendas',
      query: {
        'numerosLojas[]': [order.externalId],
        ...(storeId ? { idLoja: storeId } : {}),
      },
      signal,
    });
    const match = orderListSchema
      .parse(res.body)
      .data.find((o) => o.numeroLoja === order.externalId && (!storeId || !o.loja || o.loja.id === storeId));
    return match ? String(match.id) : null;
  }

  return {
    role: 'erp',
    platform: 'BLING',
    limits: blingLimits,

    async checkAuth(signal) {
      await http.request({ method: 'GET', path: '/produtos', query: { pagina: 1, limite: 1 }, signal });
    },

    async listProducts(q): Promise<Page<ErpProduct>> {
      const readAt = new Date();
      const page = await productPage(q, true);
      const items = page.rows.flatMap((p) => toErpProduct(p, readAt) ?? []);
      return page.next === undefined ? { items } : { items, next: page.next };
    },

    async listStock(q): Promise<Page<ErpStockLevel>> {
      const page = await productPage(q, false);
      const readAt = new Date();
      const skus = new Map<number, string>();
      for (const p of page.rows) {
        const product = toErpProduct(p, readAt);
        if (product) skus.set(p.id, product.sku);
      }
      const items: ErpStockLevel[] = [];
      if (skus.size > 0) {
        const res = await http.request<unknown>({
          method: 'GET',
          path: settings.depositoId ? `/estoques/saldos/${settings.depositoId}` : '/estoques/saldos',
          query: { 'idsProdutos[]': [...skus.keys()] },
          signal: q.signal,
        });
        for (const row of balanceListSchema.parse(res.body).data) {
          const sku = skus.get(row.produto.id);
          if (sku === undefined) continue;
          if (settings.depositoId) {
            items.push({
              sku,
              warehouse: String(settings.depositoId),
              onHand: row.saldoFisicoTotal,
              updatedAt: readAt,
            });
          } else {
            for (const d of row.depositos ?? []) {
              items.push({ sku, warehouse: String(d.id), onHand: d.saldoFisico, updatedAt: readAt });
            }
          }
        }
      }
      return page.next === undefined ? { items } : { items, next: page.next };
    },

    async importOrder(order, opts: PlatformWriteOptions) {
      const key = order.externalId;
      const existing = await findOrder(order, opts.signal);
      if (existing !== null) {
        return { key, status: 'skipped', code: 'ALREADY_IMPORTED', erpId: existing };
      }
      if (opts.dryRun) {
        return {
          key,
          status: 'skipped',
          code: 'DRY_RUN',
          message: `Would create a sales order with numeroLoja ${key} and ${order.lines.length} item(s)`,
        };
      }
      if (!settings.contactId) {
        return {
          key,
          status: 'failed',
          code: 'CONTACT_NOT_CONFIGURED',
          message: 'Bling needs a contact for every sales order: set contactId in the integration settings',
        };
      }
      try {
        const res = await http.request<unknown>({
          method: 'POST',
          path: '/pedidos/vendas',
          body: orderPayload(order, settings.contactId),
          // A lost reply may hide a created order: the next run's look-up finds it instead of a blind resend.
          idempotent: false,
          signal: opts.signal,
        });
        const created = createdSchema.parse(res.body);
        return { key, status: 'ok', code: 'CREATED', erpId: String(created.data.id) };
      } catch (err) {
        if (err instanceof PlatformRequestError && err.status >= 400 && err.status < 500) {
          return { key, status: 'failed', code: 'REJECTED', message: describeBlingError(err) };
        }
        throw err;
      }
    },
  };
}

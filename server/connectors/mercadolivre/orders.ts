/**
 * Reading orders from Mercado Livre: `GET /orders/search?seller=&order.date_last_updated.from=&sort=date_asc`.
 * Offset paging over a list sorted by date_last_updated is unsafe while orders change: an order updated mid-read
 * jumps to the end and everything after it shifts one place back, so the next offset skips one. Each page
 * therefore starts a new window at the newest date_last_updated seen (inclusive), and the cursor carries the keys
 * already read at that second to drop them again. Only a run of ties filling whole pages is paged by offset
 * inside its second, re-reading a few to absorb shifts. ML stamps whole seconds, so ties are common.
 */
import { z } from 'zod';
import { PermanentError } from '../../errors.ts';
import type { Cursor, Page } from '../connector.ts';
import type { ChannelOrder, IncrementalQuery, OrderStatus } from '../platform.ts';
import type { PlatformHttp } from '../http/types.ts';
import { orderSearchSchema, type WireOrder } from './wire.ts';

/** Largest page of orders/search. */
export const ML_ORDERS_MAX_PAGE_SIZE = 51;
/** Deepest offset orders/search serves. */
export const ML_ORDERS_MAX_OFFSET = 10_000;
/** Rows of a tie run read again on the next page, in case some moved out of it meanwhile. */
const TIE_OVERLAP = 10;

const cursorSchema = z
  .object({
    from: z.number().int().nullable(),
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(ML_ORDERS_MAX_PAGE_SIZE),
    /** `id@updatedMs` of orders already returned at second `from`. */
    seen: z.array(z.string()),
  })
  .strict();

type OrderCursor = z.infer<typeof cursorSchema>;

function encodeCursor(cursor: OrderCursor): Cursor {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: Cursor): OrderCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new PermanentError('The Mercado Livre order cursor is not valid', 'INVALID_CURSOR');
  }
}

const ML_OFFSET_MS = -4 * 3600_000;

/** ISO-8601 in −04:00, the way Mercado Livre writes and documents its dates. */
export function toMlDate(ms: number): string {
  return new Date(ms + ML_OFFSET_MS).toISOString().replace('Z', '-04:00');
}

const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export function normaliseOrderStatus(order: Pick<WireOrder, 'status' | 'tags'>): OrderStatus {
  switch (order.status) {
    case 'cancelled':
    case 'invalid':
      return 'CANCELLED';
    case 'paid':
    case 'partially_refunded': {
      const tags = order.tags ?? [];
      return tags.includes('shipped') || tags.includes('delivered') ? 'SHIPPED' : 'PAID';
    }
    default:
      // confirmed, payment_required, payment_in_process, partially_paid, pending_cancel
      return 'PENDING';
  }
}

function updatedAtOf(order: WireOrder): Date {
  return order.date_last_updated ?? order.last_updated ?? order.date_created;
}

function toChannelOrder(order: WireOrder): ChannelOrder {
  return {
    externalId: order.id,
    packId: order.pack_id ?? null,
    status: normaliseOrderStatus(order),
    total: order.total_amount,
    lines: order.order_items.map((line) => ({
      sku: line.item.seller_sku?.trim() || line.item.seller_custom_field?.trim() || '',
      quantity: line.quantity,
      unitPrice: line.unit_price,
    })),
    createdAt: order.date_created,
    updatedAt: updatedAtOf(order),
  };
}

const keyOf = (order: ChannelOrder) => `${order.externalId}@${order.updatedAt.getTime()}`;

export async function listMercadoLivreOrders(
  http: PlatformHttp,
  sellerId: string,
  q: IncrementalQuery,
): Promise<Page<ChannelOrder>> {
  const state: OrderCursor = q.cursor
    ? decodeCursor(q.cursor)
    : {
        from: q.updatedSince ? toSecond(q.updatedSince.getTime()) : null,
        offset: 0,
        limit: Math.max(1, Math.min(q.pageSize, ML_ORDERS_MAX_PAGE_SIZE)),
        seen: [],
      };

  const response = await http.request<unknown>({
    method: 'GET',
    path: '/orders/search',
    query: {
      seller: sellerId,
      'order.date_last_updated.from': state.from === null ? undefined : toMlDate(state.from),
      sort: 'date_asc',
      offset: state.offset,
      limit: state.limit,
    },
    signal: q.signal,
  });
  const wire = orderSearchSchema.parse(response.body).results;

  // The same order can come twice in one read (it changed between pages); keep its newest version.
  const seen = new Set(state.seen);
  const byId = new Map<string, ChannelOrder>();
  for (const order of wire.map(toChannelOrder)) {
    if (seen.has(keyOf(order))) continue;
    const earlier = byId.get(order.externalId);
    if (!earlier || earlier.updatedAt <= order.updatedAt) byId.set(order.externalId, order);
  }
  const items = [...byId.values()];

  if (wire.length < state.limit) return { items };

  const orders = wire.map(toChannelOrder);
  const newest = Math.max(...orders.map((o) => toSecond(o.updatedAt.getTime())));
  const keysAt = (second: number) =>
    orders.filter((o) => toSecond(o.updatedAt.getTime()) === second).map(keyOf);

  if (newest !== state.from) {
    return {
      items,
      next: encodeCursor({ from: newest, offset: 0, limit: state.limit, seen: keysAt(newest) }),
    };
  }
  // A whole page of ties at `from`: page through the second by offset, re-reading a few rows.
  const overlap = Math.min(TIE_OVERLAP, Math.floor(wire.length / 2));
  const offset = state.offset + wire.length - overlap;
  if (offset > ML_ORDERS_MAX_OFFSET) {
    throw new PermanentError(
      `More than ${ML_ORDERS_MAX_OFFSET} Mercado Livre orders share date_last_updated ${toMlDate(newest)}`,
      'PAGINATION_LIMIT',
    );
  }
  return {
    items,
    next: encodeCursor({
      from: newest,
      offset,
      limit: state.limit,
      seen: [...new Set([...state.seen, ...keysAt(newest)])],
    }),
  };
}

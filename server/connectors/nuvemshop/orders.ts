/**
 * Reading orders from Nuvemshop: `GET /orders?updated_at_min=&status=any&page=&per_page=`, one page per call,
 * following the `Link` header's `next` to the end. The cursor carries the page and the keys of the page just
 * read, because records updated while paginating shift pages and the same version can show up twice. Nuvemshop
 * refuses `page × per_page` beyond 10 000, so a long read restarts from the newest `updated_at` it has seen
 * (inclusive: ties are read again and dropped as duplicates).
 */
import { z } from 'zod';
import { PermanentError } from '../../errors.ts';
import type { Cursor, Page } from '../connector.ts';
import type { ChannelOrder, IncrementalQuery, OrderStatus } from '../platform.ts';
import type { PlatformHttp, PlatformResponse } from '../http/types.ts';
import { requestErrorOf } from './errors.ts';
import { orderListSchema, type WireOrder } from './wire.ts';

export const NUVEMSHOP_MAX_PAGE_SIZE = 200;
/** Deepest result Nuvemshop pages to: `page × per_page` may not exceed it. */
export const NUVEMSHOP_MAX_OFFSET = 10_000;

const cursorSchema = z.object({
  since: z.string().nullable(),
  page: z.number().int().min(1),
  perPage: z.number().int().min(1).max(NUVEMSHOP_MAX_PAGE_SIZE),
  seen: z.array(z.string()).max(NUVEMSHOP_MAX_PAGE_SIZE),
});

type OrderCursor = z.infer<typeof cursorSchema>;

function encodeCursor(cursor: OrderCursor): Cursor {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: Cursor): OrderCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new PermanentError('The Nuvemshop order cursor is not valid', 'INVALID_CURSOR');
  }
}

/** Nuvemshop filters on whole seconds. */
function toSecondIso(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The `page` of the RFC 5988 `Link` header's `rel="next"` target, if there is one. */
export function nextPageFromLink(link: string | null): number | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (!match?.[1] || !/rel="?next"?/.test(match[2] ?? '')) continue;
    const page = new URL(match[1], 'http://link.invalid').searchParams.get('page');
    const n = page === null ? NaN : Number(page);
    return Number.isInteger(n) && n > 0 ? n : null;
  }
  return null;
}

export function normaliseOrderStatus(
  order: Pick<WireOrder, 'status' | 'payment_status' | 'shipping_status'>,
): OrderStatus {
  if (order.status === 'cancelled') return 'CANCELLED';
  if (order.shipping_status === 'shipped' || order.shipping_status === 'delivered') return 'SHIPPED';
  if (order.payment_status === 'paid') return 'PAID';
  return 'PENDING';
}

function toChannelOrder(order: WireOrder): ChannelOrder {
  return {
    externalId: order.id,
    packId: null,
    status: normaliseOrderStatus(order),
    total: order.total,
    lines: order.products.map((line) => ({
      sku: line.sku?.trim() ?? '',
      quantity: line.quantity,
      unitPrice: line.price,
    })),
    createdAt: order.created_at,
    updatedAt: order.updated_at,
  };
}

const orderKey = (order: ChannelOrder) => `${order.externalId}@${order.updatedAt.getTime()}`;

export async function listNuvemshopOrders(
  http: PlatformHttp,
  q: IncrementalQuery,
): Promise<Page<ChannelOrder>> {
  let state: OrderCursor = q.cursor
    ? decodeCursor(q.cursor)
    : {
        since: q.updatedSince ? toSecondIso(q.updatedSince) : null,
        page: 1,
        perPage: Math.max(1, Math.min(q.pageSize, NUVEMSHOP_MAX_PAGE_SIZE)),
        seen: [],
      };

  let response: PlatformResponse;
  try {
    response = await http.request<unknown>({
      method: 'GET',
      path: '/orders',
      query: {
        status: 'any',
        updated_at_min: state.since ?? undefined,
        page: state.page,
        per_page: state.perPage,
      },
      signal: q.signal,
    });
  } catch (err) {
    // Nuvemshop answers an empty result, or a page past the last, with 404 "Last page is N".
    if (requestErrorOf(err)?.status === 404) return { items: [] };
    throw err;
  }
  const wire = orderListSchema.parse(response.body);

  const seen = new Set(state.seen);
  const items: ChannelOrder[] = [];
  for (const order of wire.map(toChannelOrder)) {
    const key = orderKey(order);
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(order);
  }
  const pageKeys = wire.map((o) => `${o.id}@${o.updated_at.getTime()}`);

  const nextPage = nextPageFromLink(response.headers.get('link'));
  if (nextPage === null || wire.length === 0) return { items };

  if (nextPage * state.perPage > NUVEMSHOP_MAX_OFFSET) {
    const newest = wire.reduce((max, o) => (o.updated_at > max ? o.updated_at : max), wire[0]!.updated_at);
    const since = toSecondIso(newest);
    if (since === state.since) {
      throw new PermanentError(
        `More than ${NUVEMSHOP_MAX_OFFSET} Nuvemshop orders share updated_at ${since}; they cannot be paged`,
        'PAGINATION_LIMIT',
      );
    }
    // Every key of this window that could reappear is at the newest second; keep those to drop them again.
    const atNewest = wire
      .filter((o) => toSecondIso(o.updated_at) === since)
      .map((o) => `${o.id}@${o.updated_at.getTime()}`);
    state = { since, page: 1, perPage: state.perPage, seen: atNewest };
    return { items, next: encodeCursor(state) };
  }
  state = { ...state, page: nextPage, seen: pageKeys };
  return { items, next: encodeCursor(state) };
}

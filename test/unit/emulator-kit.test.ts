import { afterEach, describe, expect, it } from 'vitest';
import {
  createClock,
  createLaggedStore,
  createRouter,
  createSlidingCounter,
  createTokenBucket,
  formatLocalDateTime,
  formatOffsetIso,
  json,
  parseLocalDateTime,
  parseQuery,
  startEmulator,
  toSecond,
  type Emulator,
} from '../emulators/kit.ts';
import { waitFor } from '../helpers/wait.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function startEcho(): Promise<Emulator & { seeded: unknown[] }> {
  const seeded: unknown[] = [];
  let items: string[] = [];
  const router = createRouter()
    .on('GET', '/items', (req) => json(200, { items, tags: req.query.all('tag'), now: req.clock.now() }))
    .on('GET', '/items/:id', (req) => json(200, { id: req.params.id }))
    .on('POST', '/items', (req) => {
      items.push(String((req.body as { name: string }).name));
      return json(201, { ok: true });
    });
  const started = await startEmulator({
    name: 'echo',
    handle: router.handle,
    reset: () => (items = []),
    seed: (body) => {
      seeded.push(body);
      items = [...(body as { items: string[] }).items];
      return { count: items.length };
    },
  });
  emu = started;
  return Object.assign(started, { seeded });
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('emulator kit server', () => {
  it('routes, parses repeated query keys, logs calls with auth presence, and serves the admin API', async () => {
    const e = await startEcho();
    const seed = await post(`${e.url}/__admin/seed`, { items: ['a', 'b'] });
    expect(await seed.json()).toEqual({ ok: true, result: { count: 2 } });

    const r = await fetch(`${e.url}/items?tag[]=x&tag[]=y&tag=z`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(await r.json()).toMatchObject({ items: ['a', 'b'], tags: ['z', 'x', 'y'] });
    expect((await (await fetch(`${e.url}/items/42`)).json()) as unknown).toEqual({ id: '42' });
    expect((await fetch(`${e.url}/nowhere`)).status).toBe(404);

    const log = (await (await fetch(`${e.url}/__admin/requests`)).json()) as {
      requests: {
        path: string;
        status: number;
        hasAuthorization: boolean;
        query: Record<string, string[]>;
      }[];
    };
    expect(log.requests.map((x) => [x.path, x.status, x.hasAuthorization])).toEqual([
      ['/items', 200, true],
      ['/items/42', 200, false],
      ['/nowhere', 404, false],
    ]);
    expect(log.requests[0]?.query).toEqual({ 'tag[]': ['x', 'y'], tag: ['z'] });
    expect(JSON.stringify(log)).not.toContain('s3cret');

    await post(`${e.url}/__admin/reset`, {});
    expect(await (await fetch(`${e.url}/items`)).json()).toMatchObject({ items: [] });
    expect(e.requests.all()).toHaveLength(1);
  });

  it('moves the clock through the admin API', async () => {
    const e = await startEcho();
    const before = e.clock.now();
    const res = (await (await post(`${e.url}/__admin/clock`, { advanceMs: 3_600_000 })).json()) as {
      nowMs: number;
    };
    expect(res.nowMs - before).toBeGreaterThanOrEqual(3_600_000);
    const seen = (await (await fetch(`${e.url}/items`)).json()) as { now: number };
    expect(seen.now - before).toBeGreaterThanOrEqual(3_600_000);
    await post(`${e.url}/__admin/clock`, { setMs: Date.UTC(2025, 0, 1) });
    expect(Math.abs(e.clock.now() - Date.UTC(2025, 0, 1))).toBeLessThan(1000);
    expect((await post(`${e.url}/__admin/clock`, { advanceMs: 'soon' })).status).toBe(400);
  });

  it('fires fault rules on the nth call, a number of times, with status, invalid JSON, delay, reset and hang', async () => {
    const e = await startEcho();
    const ids = (await (
      await post(`${e.url}/__admin/faults`, [
        { method: 'GET', path: '^/items$', nth: 2, status: 502, body: { boom: true } },
        { path: '^/items/1$', times: 2, invalidJson: true },
        { path: '^/items/2$', reset: true },
        { path: '^/items/3$', hang: true },
        { path: '^/items/4$', delayMs: 150 },
        { method: 'POST', path: '^/items$', reset: true, afterHandler: true },
      ])
    ).json()) as { ids: string[] };
    expect(ids.ids).toHaveLength(6);

    expect((await fetch(`${e.url}/items`)).status).toBe(200);
    const second = await fetch(`${e.url}/items`);
    expect([second.status, await second.json()]).toEqual([502, { boom: true }]);
    expect((await fetch(`${e.url}/items`)).status).toBe(200);

    for (let i = 0; i < 2; i++) await expect((await fetch(`${e.url}/items/1`)).json()).rejects.toThrow();
    expect(await (await fetch(`${e.url}/items/1`)).json()).toEqual({ id: '1' });

    await expect(fetch(`${e.url}/items/2`)).rejects.toThrow();
    await expect(fetch(`${e.url}/items/3`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const t0 = Date.now();
    expect((await fetch(`${e.url}/items/4`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    // The write happened although the client saw a reset.
    await expect(post(`${e.url}/items`, { name: 'lost-reply' })).rejects.toThrow();
    expect(await (await fetch(`${e.url}/items`)).json()).toMatchObject({ items: ['lost-reply'] });

    const statuses = e.requests.all().map((r) => [r.path, r.status, r.fault ?? null]);
    expect(statuses).toContainEqual(['/items/2', 0, 'f3']);
    expect(statuses).toContainEqual(['/items/3', 0, 'f4']);

    await fetch(`${e.url}/__admin/faults`, { method: 'DELETE' });
    expect((await fetch(`${e.url}/items/2`)).status).toBe(200);
  });

  it('close() ends even with a hanging call open', async () => {
    const e = await startEcho();
    e.faults.add({ path: '^/items$', hang: true });
    const pending = fetch(`${e.url}/items`).catch((err: unknown) => err);
    await waitFor('the hanging call to arrive', () => e.requests.all().length === 1);
    await e.close();
    emu = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('emulator kit helpers', () => {
  it('token bucket refills on the emulator clock', () => {
    const clock = createClock();
    const bucket = createTokenBucket({ clock, capacity: 3, refillPerSecond: 3 });
    expect([1, 2, 3].map(() => bucket.take().ok)).toEqual([true, true, true]);
    const denied = bucket.take();
    expect(denied.ok).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(334);
    clock.advance(334);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(false);
    clock.advance(10_000);
    expect(bucket.state()).toMatchObject({ remaining: 3, level: 0 });
  });

  it('sliding counter forgets events older than its window', () => {
    const clock = createClock();
    const c = createSlidingCounter({ clock, windowMs: 10_000 });
    c.hit();
    clock.advance(5000);
    expect(c.hit()).toBe(2);
    clock.advance(5001);
    expect(c.count()).toBe(1);
  });

  it('lagged store: by id at once, in lists only after the lag (previous version meanwhile)', () => {
    const clock = createClock();
    const store = createLaggedStore<{ id: string; v: number }>({ clock, lagMs: 2000 });
    store.put('a', { id: 'a', v: 1 });
    expect(store.get('a')).toEqual({ id: 'a', v: 1 });
    expect(store.listVisible()).toEqual([]);
    clock.advance(2000);
    expect(store.listVisible()).toEqual([{ id: 'a', v: 1 }]);
    store.put('a', { id: 'a', v: 2 });
    expect(store.get('a')?.v).toBe(2);
    expect(store.listVisible()).toEqual([{ id: 'a', v: 1 }]);
    clock.advance(2000);
    expect(store.listVisible()).toEqual([{ id: 'a', v: 2 }]);
    expect(store.all()).toEqual([{ id: 'a', v: 2 }]);
  });

  it('time stamps: 1-s ties, local time without offset, offset ISO, parsing back', () => {
    const ms = Date.UTC(2025, 2, 1, 12, 0, 5, 789);
    expect(toSecond(ms)).toBe(Date.UTC(2025, 2, 1, 12, 0, 5));
    expect(toSecond(ms)).toBe(toSecond(ms - 500));
    expect(formatLocalDateTime(ms, -180)).toBe('2025-03-01 09:00:05');
    expect(formatOffsetIso(ms, -240)).toBe('2025-03-01T08:00:05-04:00');
    expect(parseLocalDateTime('2025-03-01 09:00:05', -180)).toBe(Date.UTC(2025, 2, 1, 12, 0, 5));
    expect(parseLocalDateTime('2025-03-01', -180)).toBe(Date.UTC(2025, 2, 1, 3));
    expect(parseLocalDateTime('2025-02-30 00:00:00', -180)).toBeNaN();
    expect(parseLocalDateTime('2025-03-01T12:00:00Z', -180)).toBeNaN();
  });

  it('parseQuery keeps repeated keys and merges name with name[]', () => {
    const q = parseQuery('?a[]=1&a[]=2&a=0&b=x');
    expect(q.all('a')).toEqual(['0', '1', '2']);
    expect(q.get('b')).toBe('x');
    expect(q.has('c')).toBe(false);
  });
});

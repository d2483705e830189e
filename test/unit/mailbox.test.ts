import { describe, expect, it } from 'vitest';
import { CLOSED, Mailbox } from '../../server/events/mailbox.ts';

interface E {
  job: string;
  kind: string;
  n: number;
}
const keyed = (e: E) => (e.kind === 'PROGRESS' ? e.job : undefined);

async function drain(box: Mailbox<E>): Promise<E[]> {
  const out: E[] = [];
  while (box.size > 0) {
    const next = await box.next();
    if (next !== CLOSED) out.push(next);
  }
  return out;
}

describe('Mailbox', () => {
  it('a consumer that falls behind gets the latest progress per job, and every transition in order', async () => {
    const box = new Mailbox<E>(keyed);
    box.push({ job: 'a', kind: 'STARTED', n: 1 });
    for (let n = 2; n <= 200; n++) box.push({ job: 'a', kind: 'PROGRESS', n });
    box.push({ job: 'b', kind: 'STARTED', n: 1 });
    box.push({ job: 'a', kind: 'PROGRESS', n: 201 });
    box.push({ job: 'a', kind: 'COMPLETED', n: 202 });
    expect(await drain(box)).toEqual([
      { job: 'a', kind: 'STARTED', n: 1 },
      { job: 'b', kind: 'STARTED', n: 1 },
      { job: 'a', kind: 'PROGRESS', n: 201 },
      { job: 'a', kind: 'COMPLETED', n: 202 },
    ]);
  });

  it('a newer progress never overtakes a transition queued after the older one', async () => {
    const box = new Mailbox<E>(keyed);
    box.push({ job: 'a', kind: 'PROGRESS', n: 3 });
    box.push({ job: 'a', kind: 'RETRYING', n: 4 });
    box.push({ job: 'a', kind: 'PROGRESS', n: 6 });
    expect((await drain(box)).map((e) => e.n)).toEqual([4, 6]);
  });

  it('hands an item straight to a waiting consumer, and close() releases it', async () => {
    const box = new Mailbox<E>(keyed);
    const waiting = box.next();
    box.push({ job: 'a', kind: 'STARTED', n: 1 });
    expect(await waiting).toEqual({ job: 'a', kind: 'STARTED', n: 1 });
    const pending = box.next();
    box.close();
    expect(await pending).toBe(CLOSED);
    box.push({ job: 'a', kind: 'STARTED', n: 2 });
    expect(await box.next()).toBe(CLOSED);
  });
});

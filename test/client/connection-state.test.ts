import { describe, expect, it } from 'vitest';
import { createConnectionState } from '../../client/src/graphql/connection-state.ts';

describe('connection state (the header indicator)', () => {
  it('connecting → live → reconnecting → live, counting generations so views can re-read after a gap', () => {
    const state = createConnectionState();
    const seen: string[] = [];
    state.subscribe(() => seen.push(state.get().phase));
    expect(state.get()).toEqual({ phase: 'connecting', generation: 0, lastCloseReason: null });

    state.closed('code 1006'); // the first attempt failed: still connecting, not "reconnecting"
    expect(state.get().phase).toBe('connecting');
    state.connected();
    expect(state.get()).toMatchObject({ phase: 'live', generation: 1, lastCloseReason: null });

    state.closed('Keep-alive timeout');
    expect(state.get()).toMatchObject({ phase: 'reconnecting', lastCloseReason: 'Keep-alive timeout' });
    state.connecting();
    state.connected();
    expect(state.get()).toMatchObject({ phase: 'live', generation: 2 });
    expect(seen).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });
});

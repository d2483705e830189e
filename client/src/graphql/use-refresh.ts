import { useCallback, useEffect, useRef } from 'react';

/**
 * Calls `refresh` every `everyMs`, and sooner when the returned `trigger` is called (an event said the data moved),
 * but never twice within `minGapMs`; the period restarts after each call. A hidden tab skips its turns.
 */
export function useRefresh(refresh: () => void, everyMs: number, minGapMs: number): () => void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  const trigger = useRef<() => void>(() => undefined);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dueAt = 0;
    let last = Date.now();
    const schedule = (delay: number) => {
      clearTimeout(timer);
      dueAt = Date.now() + delay;
      timer = setTimeout(run, delay);
    };
    const run = () => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') {
        last = Date.now();
        latest.current();
      }
      schedule(everyMs);
    };
    trigger.current = () => {
      const at = Math.max(Date.now(), last + minGapMs);
      if (at < dueAt) schedule(at - Date.now());
    };
    schedule(everyMs);
    return () => {
      clearTimeout(timer);
      trigger.current = () => undefined;
    };
  }, [everyMs, minGapMs]);

  return useCallback(() => trigger.current(), []);
}

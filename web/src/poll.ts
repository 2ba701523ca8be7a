import { useEffect, useRef, useState } from 'preact/hooks';

/** How often live figures (CPU and memory now) are asked for while they are on screen. */
export const LIVE_POLL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Loads again now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Loads `load()` now and every `intervalMs` after the previous load finished, so requests never pile up.
 * A new `key` starts over; the last good data stays while a later load fails. `whileVisible`: no loads
 * while the page is hidden (live figures are asked of the agents), and one at once when it shows again.
 */
export const usePoll = <T>(load: () => Promise<T>, intervalMs: number, key: string, o: { whileVisible?: boolean } = {}): Polled<T> => {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined }>({ data: undefined, error: undefined });
  const kick = useRef<() => void>(() => undefined);
  // A new interval applies from the next wait on; it does not start over (the data shown stays).
  const every = useRef(intervalMs);
  every.current = intervalMs;
  useEffect(() => {
    let alive = true;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined });
    const tick = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      clearTimeout(timer);
      if (o.whileVisible === true && document.visibilityState === 'hidden') return;
      running = true;
      try {
        const data = await load();
        if (alive) setState({ data, error: undefined });
      } catch (e) {
        if (alive) setState((s) => ({ data: s.data, error: e instanceof Error ? e : new Error(String(e)) }));
      } finally {
        running = false;
        if (alive && again) {
          again = false;
          void tick();
        } else if (alive) timer = setTimeout(() => void tick(), every.current);
      }
    };
    kick.current = () => void tick();
    const shown = () => {
      if (document.visibilityState === 'visible' && !running) void tick();
    };
    if (o.whileVisible === true) document.addEventListener('visibilitychange', shown);
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', shown);
    };
    // `load` is recreated on every render; `key` says when what it loads changes.
  }, [key]);
  return { ...state, refresh: () => kick.current() };
};

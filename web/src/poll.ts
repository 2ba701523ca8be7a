import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Loads again now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Loads `load()` now and every `intervalMs` after the previous load finished, so requests never pile up.
 * A new `key` starts over; the last good data stays while a later load fails.
 */
export const usePoll = <T>(load: () => Promise<T>, intervalMs: number, key: string): Polled<T> => {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined }>({ data: undefined, error: undefined });
  const kick = useRef<() => void>(() => undefined);
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
      running = true;
      clearTimeout(timer);
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
        } else if (alive) timer = setTimeout(() => void tick(), intervalMs);
      }
    };
    kick.current = () => void tick();
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // `load` is recreated on every render; `key` says when what it loads changes.
  }, [key, intervalMs]);
  return { ...state, refresh: () => kick.current() };
};

import { useRef, useState } from 'preact/hooks';

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Runs `fn` unless one is already running; a failure's message is kept in `error`. Resolves true on success. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  clear: () => void;
}

/** State of one control's request: in flight, or the message of its last failure. */
export const useAction = (): Action => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const inFlight = useRef(false);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    if (inFlight.current) return false;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
};

export type LifecycleStep = 'start' | 'stop' | 'delete';
export const LIFECYCLE_DOING: Record<LifecycleStep, string> = { start: 'Starting…', stop: 'Stopping…', delete: 'Deleting…' };

/**
 * Start, stop and delete of one thing whose state its page polls (a server, a cluster): which step is in
 * flight, and the page refreshed as soon as the hub has the new state, not only when the (possibly slow)
 * request answers. `onDeleted` after a delete that succeeded.
 */
export const useLifecycleAction = (onChanged: () => void, onDeleted: () => void) => {
  const action = useAction();
  const [doing, setDoing] = useState<LifecycleStep | undefined>(undefined);
  const act = async (what: LifecycleStep, fn: () => Promise<unknown>) => {
    setDoing(what);
    const early = setTimeout(onChanged, 300);
    const ok = await action.run(fn);
    clearTimeout(early);
    setDoing(undefined);
    onChanged();
    if (ok && what === 'delete') onDeleted();
  };
  return { ...action, doing, act };
};

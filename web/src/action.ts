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

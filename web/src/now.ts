import { useEffect, useState } from 'preact/hooks';
import { hubClock } from './hubClock.js';

/** The current time, re-rendering every `everyMs` (for countdowns). */
export const useNow = (everyMs = 1000): number => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
};

/** The hub's current time (hubClock.ts), re-rendering every `everyMs`: for countdowns to the hub's deadlines. */
export const useHubNow = (everyMs = 1000): number => useNow(everyMs) + hubClock.offset();

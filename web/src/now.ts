import { useEffect, useState } from 'preact/hooks';

/** The current time, re-rendering every `everyMs` (for countdowns). */
export const useNow = (everyMs = 1000): number => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
};

/** A process as the counters need it: identity, parent, and its own and reaped children's CPU seconds. */
export interface CpuReading {
  key: string;
  pid: number;
  ppid: number;
  cpu: number;
  child: number;
}

/**
 * CPU seconds a group of processes used since the previous sweep, kept monotonic across process churn.
 * A process seen for the first time counts whole (it started after the last sweep, or this is the first);
 * a process that vanished and was reaped by a parent still in the group had its total moved into that
 * parent's children's time, so what was already counted of it is taken back once. Never negative.
 */
export const cpuIncrement = (now: ReadonlyMap<string, CpuReading>, before: ReadonlyMap<string, CpuReading>): number => {
  let inc = 0;
  for (const [key, p] of now) {
    const prev = before.get(key);
    inc += prev ? p.cpu - prev.cpu + (p.child - prev.child) : p.cpu + p.child;
  }
  const alivePids = new Set([...now.values()].map((p) => p.pid));
  for (const [key, q] of before) {
    if (!now.has(key) && alivePids.has(q.ppid)) inc -= q.cpu + q.child;
  }
  return Math.max(0, inc);
};

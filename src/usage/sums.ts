/**
 * Every group's sums per bucket, group after group in three arrays: three allocations per answer instead of
 * three per group (a typed array's memory is allocated outside the JS heap, and each costs a call and GC work).
 * A plain object, not a class instance: V8 drops the shape of a class instance that nothing uses any more at a
 * full GC, and with it the optimised code that read it, which then ran unoptimised (boxing every double).
 */
export interface Sums {
  buckets: number;
  groups: number;
  cpu: Float64Array;
  mem: Float64Array;
  has: Uint8Array;
}

export const newSums = (buckets: number, capacity: number): Sums => ({
  buckets,
  groups: 0,
  cpu: new Float64Array(buckets * capacity),
  mem: new Float64Array(buckets * capacity),
  has: new Uint8Array(buckets * capacity),
});

/** Room for one more group's buckets, zeroed: where they start. */
export const addGroup = (sums: Sums): number => {
  const at = sums.groups++ * sums.buckets;
  if (at + sums.buckets > sums.cpu.length) {
    // Doubling: the arrays end at most twice the size of what the groups need.
    const size = Math.max(2 * sums.cpu.length, at + sums.buckets);
    const cpu = new Float64Array(size);
    const mem = new Float64Array(size);
    const has = new Uint8Array(size);
    cpu.set(sums.cpu);
    mem.set(sums.mem);
    has.set(sums.has);
    sums.cpu = cpu;
    sums.mem = mem;
    sums.has = has;
  }
  return at;
};

import { isConflict } from './errors.js';

export interface UpdateOptions {
  /** Attempts in all (the first one included). */
  attempts?: number;
}

/**
 * Read-modify-write that survives other writers: on 409 Conflict (someone wrote between our read and our
 * replace, the resourceVersion no longer matches) read again and re-apply `mutate` to the fresh object.
 * `mutate` returns the object to write, or `undefined` when nothing needs to change (then nothing is written).
 * Other errors, and the last conflict, go to the caller.
 */
export const updateWithRetry = async <T>(
  get: () => Promise<T>,
  mutate: (current: T) => T | undefined,
  replace: (next: T) => Promise<T>,
  { attempts = 5 }: UpdateOptions = {},
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    const current = await get();
    const next = mutate(current);
    if (next === undefined) return current;
    try {
      return await replace(next);
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
    }
  }
};

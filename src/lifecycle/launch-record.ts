import type { Launched, SpawnerHandle } from '../core/spawner.js';

/**
 * What the `handle` column holds: the spawner's own versioned handle plus what the hub needs to resume
 * waiting for readiness after a restart.
 */
export interface LaunchRecord {
  v: 1;
  spawner: SpawnerHandle;
  readinessPath: string;
  startTimeoutSeconds: number;
  startTimeoutKey: string;
  /** Which try of this start it is (retry.ts): 2 and on after runtimes that lost a race; absent in older records: 1. */
  attempt?: number;
}

export const toLaunchRecord = (l: Launched, attempt = 1): string =>
  JSON.stringify({
    v: 1,
    spawner: l.handle,
    readinessPath: l.readinessPath,
    startTimeoutSeconds: l.startTimeoutSeconds,
    startTimeoutKey: l.startTimeoutKey,
    attempt,
  } satisfies LaunchRecord);

export const parseLaunchRecord = (text: string | null): LaunchRecord | null => {
  if (!text) return null;
  const parsed = JSON.parse(text) as LaunchRecord;
  if (parsed.v !== 1 || typeof parsed.spawner !== 'object') throw new Error(`unknown launch record version: ${text.slice(0, 80)}`);
  return parsed;
};

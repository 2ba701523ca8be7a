import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { CullScope } from '../../core/culling.js';
import { silentLogger } from '../../core/logger.js';
import type { RuntimeClient } from '../../core/runtime-client.js';
import type { UsageSource } from '../../core/usage.js';
import type { Culler } from '../../culler/culler.js';
import { createCuller } from './culler.js';

/** No servers: only what the culler says at start-up and each round matters here. */
const noServers: CullScope = { all: () => [], running: () => [], get: () => undefined, touch: () => undefined, requestStop: () => Promise.resolve(undefined) };
/** No runtime is asked anything here (there are no servers). */
const runtimeApi = {} as RuntimeClient;
/** The monitor, as the hub always passes it (it samples nothing by itself). */
const monitor: UsageSource = { latest: () => [], latestOf: () => undefined, stats: { intervalSeconds: 10, lastSweepSeconds: null, lastSweepDurationSeconds: null, sweeps: 0, errors: 0 } };

describe('createCuller: telling the operator when nothing samples', () => {
  let culler: Culler | undefined;
  afterEach(() => culler?.stop());

  const start = (embedded: boolean, agents: Array<{ url: string | null }>) => {
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
    const config = loadConfig({ env: {}, overrides: { monitoring: { embedded_agent: embedded } } });
    culler = createCuller({ config, lifecycle: noServers, usage: monitor, agents: { list: () => Promise.resolve([...agents]) }, runtimeApi, clock: { now: () => Date.now() }, log });
    culler.start();
    return warnings;
  };

  it('warns with monitoring.embedded_agent false and no agent registered (a record left by an embedded agent samples nothing)', async () => {
    const warnings = start(false, [{ url: null }]);
    await expect.poll(() => warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/busy_cpu_cores has no effect/);
    expect(warnings[0]).toMatch(/monitoring\.embedded_agent is false and no agent is registered/);
    // Said once, not every round.
    await culler?.judgeNow();
    expect(warnings).toHaveLength(1);
  });

  it('says nothing while a separate agent is registered, and warns once the last one is gone', async () => {
    const agents = [{ url: 'http://127.0.0.1:9100' }];
    const warnings = start(false, agents);
    await culler?.judgeNow();
    expect(warnings).toEqual([]);
    agents.length = 0;
    await culler?.judgeNow();
    expect(warnings).toHaveLength(1);
  });

  it('says nothing with the embedded agent on', async () => {
    const warnings = start(true, []);
    await culler?.judgeNow();
    expect(warnings).toEqual([]);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import type { Launched, RuntimeSpec, Spawner } from '../core/spawner.js';

/**
 * One behaviour for every Spawner (DESIGN.md idea 2). `make` returns a spawner whose profile `ok` runs an
 * HTTP server that prints "hello from the runtime", whose profile `crash` exits with status 7, and whose
 * profile `late` serves like `ok` but only binds its address after a second (starting up), exiting with an
 * error when the address is taken; another `make()` is another instance on the same state, as a restarted
 * hub would have. `takeAddress` (spawners whose runtimes share an address space with other processes, as
 * local ports do) makes another process take a launched runtime's address, listening there, and returns
 * how to let it go.
 */
export const spawnerContract = (
  name: string,
  setup: () => Promise<{ make: () => Spawner; cleanup: () => Promise<void>; takeAddress?: (l: Launched) => Promise<() => Promise<void>> }>,
): void => {
  describe(`Spawner contract: ${name}`, async () => {
    const { make, cleanup, takeAddress } = await setup();
    const spawner = make();
    afterAll(cleanup);
    const spec = (profile: string, server = 's1'): RuntimeSpec => ({ user: 'alice', server, profile, baseUrl: `/user/alice/${server}/`, userOptions: {} });

    it('starts a runtime that answers at the URL it returns, then stops it (twice is fine)', async () => {
      const launched = await spawner.start(spec('ok'), new AbortController().signal);
      // A loopback address: 127.0.0.1 for local runtimes, the pod's own in 127.0.0.0/8 on the test control plane.
      expect(launched.target).toMatch(/^http:\/\/127\.\d+\.\d+\.\d+:\d+$/);
      expect(launched.token.length).toBeGreaterThanOrEqual(16);
      await expect.poll(async () => (await fetch(launched.target + '/user/alice/s1/').catch(() => null))?.status, { timeout: 10_000 }).toBe(200);
      expect(await spawner.poll(launched.handle)).toEqual({ status: 'running' });
      expect(JSON.parse(JSON.stringify(launched.handle))).toEqual(launched.handle);
      expect(launched.handle.v).toBe(1);
      await spawner.stop(launched.handle, { graceful: true });
      expect((await spawner.poll(launched.handle)).status).toBe('exited');
      await spawner.stop(launched.handle, { graceful: true });
      expect(await spawner.logTail(launched.handle, 5)).toContain('hello from the runtime');
    });

    it('reports the exit status of a runtime that dies', async () => {
      const launched = await spawner.start(spec('crash', 's2'), new AbortController().signal);
      await expect.poll(async () => (await spawner.poll(launched.handle)).status, { timeout: 10_000 }).toBe('exited');
      expect(await spawner.poll(launched.handle)).toMatchObject({ status: 'exited', exitCode: 7, adopted: false });
      expect(await spawner.logTail(launched.handle, 5)).toContain('crashing now');
    });

    it('lets another instance (a restarted hub) poll and stop a runtime from its stored handle', async () => {
      const launched = await spawner.start(spec('ok', 's3'), new AbortController().signal);
      const stored = JSON.parse(JSON.stringify(launched.handle)) as typeof launched.handle;
      const other = make();
      expect(await other.poll(stored)).toEqual({ status: 'running' });
      await other.stop(stored, { graceful: false });
      expect(await other.poll(stored)).toMatchObject({ status: 'exited', adopted: true });
    });

    // Spawners without these (a pod has its own address) have no race to report.
    it.skipIf(!spawner.listener)('says who listens at a runtime\'s address: nobody while it starts, then the runtime itself', async () => {
      const listener = spawner.listener?.bind(spawner) as NonNullable<Spawner['listener']>;
      const launched = await spawner.start(spec('late', 's6'), new AbortController().signal);
      expect(await listener(launched.handle)).toBe('none');
      await expect.poll(() => listener(launched.handle), { timeout: 10_000 }).toBe('runtime');
      await spawner.stop(launched.handle, { graceful: false });
      // The kernel tears a killed process's listening socket down just after the process is gone.
      await expect.poll(() => listener(launched.handle), { timeout: 5000 }).toBe('none');
    });

    it.skipIf(!spawner.lostRace)('does not take a runtime that failed on its own for one that lost a race', async () => {
      const launched = await spawner.start(spec('crash', 's7'), new AbortController().signal);
      await expect.poll(async () => (await spawner.poll(launched.handle)).status, { timeout: 10_000 }).toBe('exited');
      expect(await spawner.lostRace?.(launched.handle)).toBeNull();
    });

    it.skipIf(!takeAddress || !spawner.listener || !spawner.lostRace)(
      'tells a runtime whose address another process took: another listens there, and once it exits, it lost a race',
      async () => {
        const launched = await spawner.start(spec('late', 's8'), new AbortController().signal);
        const release = await (takeAddress as NonNullable<typeof takeAddress>)(launched);
        try {
          expect(await spawner.listener?.(launched.handle)).toBe('other');
          await expect.poll(async () => (await spawner.poll(launched.handle)).status, { timeout: 10_000 }).toBe('exited');
          expect(await spawner.lostRace?.(launched.handle)).toMatch(/taken/);
          expect(await spawner.listener?.(launched.handle)).toBe('other');
        } finally {
          await release();
        }
      },
    );

    it('refuses to start under an aborted signal', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(spawner.start(spec('ok', 's5'), ac.signal)).rejects.toThrow();
    });
  });
};

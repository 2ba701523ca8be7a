import { useState } from 'preact/hooks';
import { allUsers } from '../adminLoad.js';
import { DEFAULT_QUERY, serverKey, serversOf, splitKey, stoppable } from '../adminView.js';
import { api } from '../api.js';

const PARALLEL = 8;

/** Stops these servers, a few at a time; resolves with the messages of those that could not be stopped. */
const stopAll = async (keys: readonly string[], progress: (done: number) => void): Promise<string[]> => {
  const errors: string[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < keys.length) {
      const { user, server } = splitKey(keys[next++] as string);
      try {
        await api.stopServer(user, server);
      } catch (e) {
        errors.push(`${user}/${server}: ${e instanceof Error ? e.message : String(e)}`);
      }
      progress(++done);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return errors;
};

/** Every running or starting server of every user. */
const allRunning = async (): Promise<string[]> => {
  const users = await allUsers({ ...DEFAULT_QUERY, filter: 'running' });
  return users.flatMap((u) => serversOf(u).filter(stoppable).map((s) => serverKey(u.name, s.name)));
};

/** Stop selected (the boxes ticked on this page) and stop all (every running server; asks first, with the count). */
export const StopServersButtons = (p: { selected: ReadonlySet<string>; onDone: () => void }) => {
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [asking, setAsking] = useState<string[] | null>(null);
  const run = async (keys: readonly string[]) => {
    setAsking(null);
    setErrors([]);
    setBusy(`Stopping 0 of ${keys.length}…`);
    const failed = await stopAll(keys, (done) => setBusy(`Stopping ${done} of ${keys.length}…`));
    setBusy(null);
    setErrors(failed);
    p.onDone();
  };
  const ask = async () => {
    setBusy('Counting running servers…');
    try {
      setAsking(await allRunning());
    } catch (e) {
      setErrors([e instanceof Error ? e.message : String(e)]);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="actions" data-testid="admin-bulk">
      <button type="button" data-testid="admin-stop-selected" disabled={busy !== null || p.selected.size === 0} onClick={() => void run([...p.selected])}>
        Stop selected ({p.selected.size})
      </button>
      {asking === null ? (
        <button type="button" class="danger" data-testid="admin-stop-all" disabled={busy !== null} onClick={() => void ask()}>
          Stop all…
        </button>
      ) : (
        <span class="confirm" data-testid="admin-stop-all-question">
          {asking.length === 0 ? (
            'No server is running.'
          ) : (
            <>
              Stop all {asking.length} running {asking.length === 1 ? 'server' : 'servers'}?{' '}
              <button type="button" class="danger" data-testid="admin-stop-all-confirm" onClick={() => void run(asking)}>
                Yes, stop {asking.length}
              </button>
            </>
          )}{' '}
          <button type="button" data-testid="admin-stop-all-cancel" onClick={() => setAsking(null)}>
            {asking.length === 0 ? 'OK' : 'Cancel'}
          </button>
        </span>
      )}
      {busy && (
        <span class="muted" data-testid="admin-bulk-busy">
          {busy}
        </span>
      )}
      {errors.length > 0 && (
        <span class="error" role="alert" data-testid="admin-bulk-error">
          Not stopped: {errors.join('; ')}
        </span>
      )}
    </div>
  );
};

import type { ServerRecord } from '../core/models.js';
import type { PollResult } from '../core/spawner.js';

/** What the spawner says about the runtime right now ('none': there is no handle to ask about). */
export type Observed = { status: 'none' } | PollResult;

export type Action =
  | { kind: 'none' }
  | { kind: 'launch' }
  | { kind: 'await-ready' }
  | { kind: 'stop' }
  | { kind: 'mark-stopped'; message: string | null }
  | { kind: 'mark-failed'; exitCode: number | null; signal: string | null; reason?: string };

/** A runtime that died on its own; the spawner's reason when the platform ended it (a pod of a lost node). */
const failed = (exited: (Observed & { status: 'exited' }) | undefined): Action => ({
  kind: 'mark-failed',
  exitCode: exited?.exitCode ?? null,
  signal: exited?.signal ?? null,
  ...(exited?.reason ? { reason: exited.reason } : {}),
});

export const SHUT_ITSELF_DOWN = 'The runtime shut itself down (exit status 0).';

/**
 * The reconciler's pure decision: desired state, recorded state and what is observed → one action.
 * `readying` is true while this hub process is already waiting for the runtime's readiness, so a
 * repeated pass does not start a second waiter. Every action is safe to repeat.
 */
export const decide = (rec: ServerRecord, observed: Observed, readying: boolean): Action => {
  const alive = observed.status === 'running';
  const exited = observed.status === 'exited' ? observed : undefined;
  if (rec.desired === 'running') {
    switch (rec.state) {
      case 'pending':
        if (observed.status === 'none') return { kind: 'launch' };
        if (alive) return readying ? { kind: 'none' } : { kind: 'await-ready' };
        // Died before readiness. Adopted (the hub was down): it is only known to be gone.
        return exited?.adopted
          ? { kind: 'mark-stopped', message: 'The runtime exited while the hub was down.' }
          : failed(exited);
      case 'running':
        if (alive) return { kind: 'none' };
        if (observed.status === 'none') return { kind: 'mark-stopped', message: null };
        // A clean exit of a ready runtime is one it chose (JupyterLab's File > Shut Down, its own
        // shutdown_no_activity_timeout): stopped, not failed.
        if (exited && !exited.adopted && exited.exitCode === 0 && !exited.signal) return { kind: 'mark-stopped', message: SHUT_ITSELF_DOWN };
        return exited?.adopted
          ? { kind: 'mark-stopped', message: 'The runtime exited while the hub was down.' }
          : failed(exited);
      case 'stopping':
        return { kind: 'stop' };
      case 'stopped':
      case 'failed':
        return alive ? { kind: 'stop' } : { kind: 'none' };
    }
  }
  // desired: stopped
  switch (rec.state) {
    case 'pending':
    case 'running':
    case 'stopping':
      return alive ? { kind: 'stop' } : { kind: 'mark-stopped', message: null };
    case 'stopped':
    case 'failed':
      return alive ? { kind: 'stop' } : { kind: 'none' };
  }
};

import type { LiveServer } from '../types.js';
import { bytes, cores } from '../units.js';

/** A running server's CPU and memory now (GET /hub/api/live), "—" while there is no figure yet. */
export const LiveNow = (p: { live: LiveServer | undefined; error: Error | undefined }) => (
  <section class="live-now" data-testid="runtime-live">
    <span>
      CPU now <strong data-testid="runtime-cpu-now">{cores(p.live?.cpu)}</strong>
    </span>
    <span>
      Memory now <strong data-testid="runtime-memory-now">{bytes(p.live?.memory)}</strong>
    </span>
    {p.error && (
      <span class="muted small" role="alert" data-testid="runtime-live-error">
        (could not read: {p.error.message})
      </span>
    )}
  </section>
);

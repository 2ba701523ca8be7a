import { useAction } from '../action.js';
import { api } from '../api.js';
import { countdown, displayName } from '../format.js';
import { useHubNow } from '../now.js';
import type { ServerModel } from '../types.js';

/** Running servers the culler will stop soon: from `cull_warn_at` until `cull_at`. */
export const dueForCulling = (servers: readonly ServerModel[], now: number): ServerModel[] =>
  servers.filter((s) => s.nbhub.state === 'running' && s.nbhub.cull_at !== null && s.nbhub.cull_warn_at !== null && Date.parse(s.nbhub.cull_warn_at) <= now);

const Warning = (p: { user: string; server: ServerModel; now: number; onChanged: () => void }) => {
  const keep = useAction();
  const n = p.server.nbhub;
  const left = Date.parse(n.cull_at ?? '') - p.now;
  const idle = n.cull_reason === 'idle';
  return (
    <p class="banner warning" role="status" data-testid="cull-banner" data-user={p.user} data-server={p.server.name}>
      Server <strong>{displayName(p.server.name)}</strong> will be stopped in <strong data-testid="cull-countdown">{countdown(left)}</strong>{' '}
      {idle ? 'unless it is used' : 'because it reached its maximum age'}; its files are kept.{' '}
      {idle && (
        <button type="button" data-testid="cull-keep" disabled={keep.busy} onClick={() => void keep.run(() => api.keepRunning(p.user, p.server.name)).then(p.onChanged)}>
          Keep it running
        </button>
      )}
      {keep.error && <span class="error"> {keep.error}</span>}
    </p>
  );
};

/** A countdown banner in the last minutes before a server is culled; activity moves `cull_at` and it goes away. */
export const CullBanner = (p: { user: string; servers: readonly ServerModel[]; onChanged: () => void }) => {
  // The hub's clock: cull_at is the hub's time, and a browser clock that is off would count down wrong.
  const now = useHubNow(1000);
  const due = dueForCulling(p.servers, now);
  if (due.length === 0) return null;
  return (
    <>
      {due.map((s) => (
        <Warning key={s.name} user={p.user} server={s} now={now} onChanged={p.onChanged} />
      ))}
    </>
  );
};

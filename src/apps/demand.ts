import type { AppIntent, AppState } from '../core/apps.js';

/**
 * What an ensure does with the app (pure). `use`: it runs; `join`: a start is under way (or a restart waits
 * for its backoff: cut short); `start`: start it now; `refuse`: its user stopped it, and this is only the
 * traffic of a page still open.
 */
export type Demand = 'use' | 'join' | 'start' | 'refuse';

/**
 * `stoppedOnPurpose`: stopped through the API (the console's Stop) since its last start. A tab left open
 * reconnects its WebSocket and polls within a second, so such traffic would start the app again behind its
 * user's back: only a visit does. An app that died by itself, failed, or never ran starts on any request.
 */
export const demand = (o: { intent: AppIntent; state: AppState; stoppedOnPurpose: boolean }): Demand => {
  if (o.state === 'running') return 'use';
  if (o.state === 'starting') return 'join';
  return o.stoppedOnPurpose && o.intent === 'background' ? 'refuse' : 'start';
};

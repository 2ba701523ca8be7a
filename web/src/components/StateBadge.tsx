import { STATE_LABEL } from '../format.js';
import type { RuntimeState } from '../types.js';

export const StateBadge = (p: { state: RuntimeState }) => (
  <span class={`badge badge-${p.state}`} data-testid="server-state" data-state={p.state}>
    {STATE_LABEL[p.state]}
  </span>
);

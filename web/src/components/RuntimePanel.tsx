import { api } from '../api.js';
import { AppList } from './AppList.js';
import { LIVE_POLL_MS, usePoll } from '../poll.js';
import type { KernelModel, LiveServer } from '../types.js';
import { KernelTable } from './KernelTable.js';
import { LiveNow } from './LiveNow.js';
import { ProcessTable } from './ProcessTable.js';
import type { ExecutionFilter } from '../executionFilter.js';
import { ExecutionsPanel } from './ExecutionsPanel.js';
import { RuntimeCharts } from './RuntimeCharts.js';

/** What a server uses: live charts (its recent past too, once stopped), and while it runs, its apps, kernels and processes. */
export const RuntimePanel = (p: { user: string; server: string; running: boolean; filter: ExecutionFilter; onFilter: (f: ExecutionFilter) => void }) => {
  const kernels = usePoll<KernelModel[] | undefined>(
    () => (p.running ? api.kernels(p.user, p.server) : Promise.resolve(undefined)),
    LIVE_POLL_MS,
    `kernels:${p.user}/${p.server}:${p.running}`,
    { whileVisible: true },
  );
  const live = usePoll<LiveServer | undefined>(
    async () => (p.running ? (await api.live([p.user])).servers.find((s) => s.server === p.server) : undefined),
    LIVE_POLL_MS,
    `live:${p.user}/${p.server}:${p.running}`,
    { whileVisible: true },
  );
  return (
    <>
      <RuntimeCharts user={p.user} server={p.server} kernels={kernels.data} onPick={(from, to) => p.onFilter({ ...p.filter, from, to })} />
      {p.running && (
        <>
          <LiveNow live={live.data} error={live.error} />
          <AppList user={p.user} server={p.server} />
          <KernelTable user={p.user} server={p.server} kernels={kernels.data} error={kernels.error} onChanged={kernels.refresh} />
          <ProcessTable user={p.user} server={p.server} kernels={kernels.data} />
        </>
      )}
      <ExecutionsPanel user={p.user} server={p.server} filter={p.filter} onFilter={p.onFilter} />
    </>
  );
};

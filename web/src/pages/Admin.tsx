import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ADMIN_PAGE_SIZE,
  adminQueryString,
  FILTER_LABELS,
  liveIndex,
  parseAdminQuery,
  SORT_LABELS,
  sortsByLive,
  usersSearch,
  type AdminFilter,
  type AdminQuery,
  type AdminSort,
  type IdleUnit,
} from '../adminView.js';
import { liveOrNone, liveSortedPage } from '../adminLoad.js';
import { api } from '../api.js';
import { AddUserForm } from '../components/AddUserForm.js';
import { ADMIN_COLUMNS, AdminUserRows } from '../components/AdminUserRows.js';
import { StopServersButtons } from '../components/StopServersButtons.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import type { UserModel, UserPage } from '../types.js';

const USERS_MS = 3000;
const LIVE_MS = 5000;

/** Search, sort and filters; the search box waits for a pause in typing before it asks the hub. */
const Toolbar = (p: { q: AdminQuery; set: (change: Partial<AdminQuery>) => void }) => {
  const [text, setText] = useState(p.q.search);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return undefined;
    }
    const t = setTimeout(() => p.set({ search: text, offset: 0 }), 250);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <div class="inline-form filters" data-testid="admin-toolbar">
      <label>
        Search{' '}
        <input
          type="search"
          data-testid="admin-search"
          placeholder="user or server name"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <label>
        Sort{' '}
        <select data-testid="admin-sort" value={p.q.sort} onChange={(e) => p.set({ sort: e.currentTarget.value as AdminSort, offset: 0 })}>
          {Object.entries(SORT_LABELS).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Show{' '}
        <select data-testid="admin-filter" value={p.q.filter} onChange={(e) => p.set({ filter: e.currentTarget.value as AdminFilter, offset: 0 })}>
          {Object.entries(FILTER_LABELS).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {p.q.filter === 'idle' && (
        <label>
          <input
            type="number"
            min={1}
            class="narrow"
            data-testid="admin-idle"
            value={p.q.idle}
            onChange={(e) => {
              const n = Number(e.currentTarget.value);
              if (Number.isInteger(n) && n > 0) p.set({ idle: n, offset: 0 });
            }}
          />
          <select data-testid="admin-idle-unit" value={p.q.idleUnit} onChange={(e) => p.set({ idleUnit: e.currentTarget.value as IdleUnit, offset: 0 })}>
            <option value="minutes">minutes</option>
            <option value="hours">hours</option>
          </select>
        </label>
      )}
    </div>
  );
};

const Pager = (p: { page: UserPage['_pagination']; go: (offset: number) => void }) => (
  <nav class="pager" data-testid="admin-pager">
    <button type="button" data-testid="admin-prev" disabled={p.page.offset === 0} onClick={() => p.go(Math.max(0, p.page.offset - ADMIN_PAGE_SIZE))}>
      Previous
    </button>
    <span data-testid="admin-range">
      {p.page.total === 0 ? 'none' : `${p.page.offset + 1}–${Math.min(p.page.offset + p.page.limit, p.page.total)} of ${p.page.total}`}
    </span>
    <button type="button" data-testid="admin-next" disabled={!p.page.next} onClick={() => p.page.next && p.go(p.page.next.offset)}>
      Next
    </button>
  </nav>
);

/** Every user and their servers, a page at a time: search, sort, filters, CPU and memory now, bulk stop, edit, tokens. */
const AdminConsole = (p: { me: UserModel; search: string }) => {
  const q = parseAdminQuery(p.search);
  const set = (change: Partial<AdminQuery>) => navigate(`/hub/admin${adminQueryString({ ...q, ...change })}`, { replace: true });
  const apiSearch = usersSearch(q);
  const liveSort = sortsByLive(q) ? q.sort : undefined;
  const users = usePoll(
    () => (liveSort ? liveSortedPage(q, liveSort) : api.usersPage(apiSearch).then((page) => ({ page, live: undefined }))),
    USERS_MS,
    `${liveSort ?? ''}:${apiSearch}`,
  );
  // The last page shown stays while the next one loads, so typing in the search box does not blank the table.
  const shown = useRef<UserPage | undefined>(undefined);
  if (users.data) shown.current = users.data.page;
  const page = users.data?.page ?? shown.current;
  const names = (page?.items ?? []).map((u) => u.name);
  // Sorted by a reading, the page came with the readings it was sorted by; otherwise they are read for the page.
  const live = usePoll(
    () => (names.length > 0 && !liveSort ? liveOrNone(names) : Promise.resolve(undefined)),
    LIVE_MS,
    `live:${liveSort ?? ''}:${names.join('\u0000')}`,
  );
  const index = useMemo(() => liveIndex(liveSort ? users.data?.live : live.data), [liveSort, users.data, live.data]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const rows = page?.items ?? [];
  const refresh = () => {
    users.refresh();
    live.refresh();
  };
  return (
    <main class="wide">
      <h1>Admin</h1>
      <details class="add-user" open>
        <summary>Add user</summary>
        <AddUserForm onChanged={users.refresh} />
      </details>
      <h2>
        Users{page ? ` (${page._pagination.total})` : ''}
        {users.data === undefined && page && <span class="muted small"> updating…</span>}
      </h2>
      <Toolbar q={q} set={set} />
      <StopServersButtons
        selected={selected}
        onDone={() => {
          setSelected(new Set());
          refresh();
        }}
      />
      {users.error && (
        <p class="error" role="alert">
          Could not list users: {users.error.message}
        </p>
      )}
      {!page && !users.error && <p class="muted">Loading…</p>}
      {page && (
        <table class="servers admin-table" data-testid="admin-table">
          <thead>
            <tr>
              <th />
              <th>User / server</th>
              <th>State</th>
              <th>Last activity</th>
              <th class="num">CPU now</th>
              <th class="num">Memory now</th>
              <th>Actions</th>
            </tr>
          </thead>
          {rows.map((u) => (
            <AdminUserRows
              key={u.name}
              user={u}
              me={p.me.name}
              live={index}
              selected={selected}
              onSelect={(key, on) => {
                const next = new Set(selected);
                if (on) next.add(key);
                else next.delete(key);
                setSelected(next);
              }}
              onChanged={refresh}
            />
          ))}
          {rows.length === 0 && (
            <tbody>
              <tr>
                <td colSpan={ADMIN_COLUMNS} class="muted" data-testid="admin-empty">
                  No user matches.
                </td>
              </tr>
            </tbody>
          )}
        </table>
      )}
      {page && <Pager page={page._pagination} go={(offset) => set({ offset })} />}
    </main>
  );
};

export const AdminPage = (p: { me: UserModel; search: string }) =>
  p.me.admin ? <AdminConsole me={p.me} search={p.search} /> : (
    <main>
      <p class="error" role="alert">
        Admin access required.
      </p>
    </main>
  );

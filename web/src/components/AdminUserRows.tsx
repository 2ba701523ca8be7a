import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { type LiveIndex, serverKey, serversOf, stoppable } from '../adminView.js';
import { api } from '../api.js';
import { ago, displayName } from '../format.js';
import { serverPagePath } from '../router.js';
import type { ServerModel, UserModel } from '../types.js';
import { bytes, cores } from '../units.js';
import { ConfirmButton } from './ConfirmButton.js';
import { FailureDetails } from './FailureDetails.js';
import { Link } from './Link.js';
import { ServerActions } from './ServerActions.js';
import { StateBadge } from './StateBadge.js';
import { TokenList } from './TokenList.js';
import { UserEditForm } from './UserEditForm.js';

export const ADMIN_COLUMNS = 7;

export interface AdminRowsProps {
  user: UserModel;
  me: string;
  live: LiveIndex;
  selected: ReadonlySet<string>;
  onSelect: (key: string, on: boolean) => void;
  onChanged: () => void;
}

const ServerRow = (p: AdminRowsProps & { server: ServerModel }) => {
  const s = p.server;
  const [why, setWhy] = useState(false);
  const live = p.live.server(p.user.name, s.name);
  const key = serverKey(p.user.name, s.name);
  return (
    <>
      <tr class="admin-server" data-testid="server-row" data-user={p.user.name} data-server={s.name}>
        <td>
          {stoppable(s) && (
            <input
              type="checkbox"
              data-testid="admin-select"
              aria-label={`Select ${p.user.name} / ${displayName(s.name)}`}
              checked={p.selected.has(key)}
              onChange={(e) => p.onSelect(key, e.currentTarget.checked)}
            />
          )}
        </td>
        <td class="admin-server-name">
          <Link href={serverPagePath(p.user.name, s.name)} testid="server-name">
            {displayName(s.name)}
          </Link>
          <span class="muted small"> {s.nbhub.profile}</span>
        </td>
        <td>
          <StateBadge state={s.nbhub.state} />
          {s.nbhub.state === 'failed' && (
            <button type="button" class="link" data-testid="server-failure-toggle" aria-expanded={why} onClick={() => setWhy(!why)}>
              {why ? 'Hide why' : 'Why?'}
            </button>
          )}
        </td>
        <td>{ago(s.last_activity)}</td>
        <td class="num" data-testid="admin-server-cpu">
          {cores(live?.cpu)}
        </td>
        <td class="num" data-testid="admin-server-memory">
          {bytes(live?.memory)}
        </td>
        <td>
          <ServerActions user={p.user.name} server={s} exists onChanged={p.onChanged} onRemoved={p.onChanged} />
        </td>
      </tr>
      {why && (
        <tr class="details">
          <td />
          <td colSpan={ADMIN_COLUMNS - 1}>
            <FailureDetails server={s} admin onDismiss={() => setWhy(false)} />
          </td>
        </tr>
      )}
    </>
  );
};

/** One user of the admin table: their row (totals, edit, tokens, delete), then one row per server. */
export const AdminUserRows = (p: AdminRowsProps) => {
  const u = p.user;
  const [panel, setPanel] = useState<'edit' | 'tokens' | null>(null);
  const remove = useAction();
  const servers = serversOf(u);
  const live = p.live.user(u.name);
  const running = servers.filter((s) => s.nbhub.state === 'running').length;
  const toggle = (what: 'edit' | 'tokens') => setPanel(panel === what ? null : what);
  return (
    <tbody data-testid="admin-user" data-user={u.name}>
      <tr class="admin-user">
        <td />
        <td>
          <strong data-testid="admin-user-name">{u.name}</strong>
          {u.admin && <span class="badge badge-admin"> admin</span>}
        </td>
        <td class="muted small" data-testid="admin-user-summary">
          {servers.length === 0 ? 'no servers' : `${running} of ${servers.length} running`}
        </td>
        <td>{ago(u.last_activity)}</td>
        <td class="num" data-testid="admin-user-cpu">
          {cores(live?.cpu)}
        </td>
        <td class="num" data-testid="admin-user-memory">
          {bytes(live?.memory)}
        </td>
        <td>
          <div class="actions">
            <button type="button" data-testid="admin-user-edit" aria-pressed={panel === 'edit'} onClick={() => toggle('edit')}>
              Edit
            </button>
            <button type="button" data-testid="admin-user-tokens" aria-pressed={panel === 'tokens'} onClick={() => toggle('tokens')}>
              Tokens
            </button>
            <ConfirmButton
              label="Delete user"
              question={`Delete ${u.name} and stop their servers?`}
              testid="admin-user-delete"
              disabled={remove.busy || u.name === p.me}
              onConfirm={() => void remove.run(() => api.deleteUser(u.name)).then(p.onChanged)}
            />
            {remove.error && (
              <span class="error" role="alert">
                {remove.error}
              </span>
            )}
          </div>
        </td>
      </tr>
      {panel !== null && (
        <tr class="details">
          <td />
          <td colSpan={ADMIN_COLUMNS - 1}>
            {panel === 'edit' ? (
              <UserEditForm
                user={u}
                me={p.me}
                onDone={() => {
                  setPanel(null);
                  p.onChanged();
                }}
              />
            ) : (
              <TokenList user={u.name} />
            )}
          </td>
        </tr>
      )}
      {servers.map((s) => (
        <ServerRow key={s.name} {...p} server={s} />
      ))}
    </tbody>
  );
};

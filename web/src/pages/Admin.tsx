import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { AddUserForm } from '../components/AddUserForm.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ServerTable } from '../components/ServerTable.js';
import { ago } from '../format.js';
import { usePoll } from '../poll.js';
import type { Profile, UserModel } from '../types.js';

const PAGE_SIZE = 50;

const UserSection = (p: { user: UserModel; me: UserModel; profiles: Profile[] | undefined; refresh: () => void }) => {
  const remove = useAction();
  const u = p.user;
  return (
    <section class="user" data-testid="admin-user" data-user={u.name}>
      <h3>
        <span data-testid="admin-user-name">{u.name}</span>
        {u.admin && <span class="badge badge-admin">admin</span>}
        <span class="muted small"> last active {ago(u.last_activity)}</span>
        <span class="spacer" />
        <ConfirmButton
          label="Delete user"
          question={`Delete ${u.name} and stop their servers?`}
          testid="admin-user-delete"
          disabled={remove.busy || u.name === p.me.name}
          onConfirm={() => void remove.run(() => api.deleteUser(u.name)).then(p.refresh)}
        />
      </h3>
      {remove.error && (
        <p class="error" role="alert">
          {remove.error}
        </p>
      )}
      <ServerTable user={u} profiles={p.profiles} onChanged={p.refresh} />
    </section>
  );
};

/** Every user and their servers, with the same controls as "My servers"; add and delete users. */
const AdminConsole = (p: { me: UserModel }) => {
  const [offset, setOffset] = useState(0);
  const users = usePoll(() => api.users(offset, PAGE_SIZE), 2000, `users:${offset}`);
  const profiles = usePoll(api.profiles, 60_000, 'profiles');
  const page = users.data?._pagination;
  return (
    <main>
      <h1>Admin</h1>
      <section>
        <h2>Add user</h2>
        <AddUserForm onChanged={users.refresh} />
      </section>
      <h2>Users{page ? ` (${page.total})` : ''}</h2>
      {users.error && (
        <p class="error" role="alert">
          Could not list users: {users.error.message}
        </p>
      )}
      {!users.data && !users.error && <p class="muted">Loading…</p>}
      {users.data?.items.map((u) => <UserSection key={u.name} user={u} me={p.me} profiles={profiles.data} refresh={users.refresh} />)}
      {page && page.total > page.limit && (
        <nav class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            Previous
          </button>
          <span>
            {page.offset + 1}–{Math.min(page.offset + page.limit, page.total)} of {page.total}
          </span>
          <button type="button" disabled={!page.next} onClick={() => page.next && setOffset(page.next.offset)}>
            Next
          </button>
        </nav>
      )}
    </main>
  );
};

export const AdminPage = (p: { me: UserModel }) =>
  p.me.admin ? <AdminConsole me={p.me} /> : (
    <main>
      <p class="error" role="alert">
        Admin access required.
      </p>
    </main>
  );

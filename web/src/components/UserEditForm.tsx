import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import type { UserModel } from '../types.js';

/**
 * An admin's edit of a user: the admin flag, a new password (accounts are local), and a new name (the hub refuses
 * a rename while a server runs, and says so). Only what was changed is sent.
 */
export const UserEditForm = (p: { user: UserModel; me: string; onDone: () => void }) => {
  const [admin, setAdmin] = useState(p.user.admin);
  const [name, setName] = useState(p.user.name);
  const [password, setPassword] = useState('');
  const save = useAction();
  const change: { name?: string; admin?: boolean; password?: string } = {};
  if (admin !== p.user.admin) change.admin = admin;
  if (name.trim() !== p.user.name) change.name = name.trim();
  if (password !== '') change.password = password;
  const self = p.user.name === p.me;
  return (
    <form
      class="inline-form"
      data-testid="admin-edit"
      data-user={p.user.name}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(() => api.updateUser(p.user.name, change)).then((ok) => ok && p.onDone());
      }}
    >
      <label>
        <input
          type="checkbox"
          data-testid="admin-edit-admin"
          checked={admin}
          // Taking one's own admin flag away would lock one out of this page.
          disabled={self}
          onChange={(e) => setAdmin(e.currentTarget.checked)}
        />
        Admin
      </label>
      <label>
        Name <input data-testid="admin-edit-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        New password{' '}
        <input type="password" autocomplete="new-password" data-testid="admin-edit-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <button type="submit" data-testid="admin-edit-save" disabled={save.busy || Object.keys(change).length === 0}>
        Save
      </button>
      <button type="button" data-testid="admin-edit-cancel" onClick={p.onDone}>
        Cancel
      </button>
      {save.error && (
        <p class="error" role="alert" data-testid="admin-edit-error">
          {save.error}
        </p>
      )}
    </form>
  );
};

import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { userNameProblem } from '../names.js';

/** Adds a user with a password for local login, optionally an admin. */
export const AddUserForm = (p: { onChanged: () => void }) => {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [added, setAdded] = useState<string | undefined>(undefined);
  const action = useAction();

  const submit = async (e: Event) => {
    e.preventDefault();
    const wanted = name.trim();
    const bad = userNameProblem(wanted);
    setProblem(bad);
    setAdded(undefined);
    if (bad) return;
    if (await action.run(() => api.createUser(wanted, { admin, password }))) {
      setAdded(wanted);
      setName('');
      setPassword('');
      setAdmin(false);
    }
    p.onChanged();
  };

  return (
    <form class="inline-form" data-testid="add-user-form" onSubmit={(e) => void submit(e)} noValidate>
      <label>
        Name <input data-testid="add-user-name" value={name} autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Password{' '}
        <input
          type="password"
          data-testid="add-user-password"
          value={password}
          autocomplete="new-password"
          placeholder="8 characters or more"
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <label>
        <input type="checkbox" data-testid="add-user-admin" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin
      </label>
      <button type="submit" data-testid="add-user-submit" disabled={action.busy}>
        Add user
      </button>
      {(problem ?? action.error) && (
        <p class="error" role="alert" data-testid="add-user-error">
          {problem ?? action.error}
        </p>
      )}
      {added && (
        <p class="ok" data-testid="add-user-added">
          Added {added}.
        </p>
      )}
    </form>
  );
};

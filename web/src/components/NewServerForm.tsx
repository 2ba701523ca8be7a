import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { serverNameProblem } from '../names.js';
import { firstChoice, profileChoices } from '../profiles.js';
import type { Profile } from '../types.js';

export interface NewServerFormProps {
  user: string;
  existing: string[];
  profiles: Profile[] | undefined;
  onChanged: () => void;
}

/** Creates a named server and starts it; the list below shows it coming up. */
export const NewServerForm = (p: NewServerFormProps) => {
  const [name, setName] = useState('');
  const [profile, setProfile] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const action = useAction();

  const submit = async (e: Event) => {
    e.preventDefault();
    const wanted = name.trim();
    const bad = serverNameProblem(wanted) ?? (p.existing.includes(wanted) ? `You already have a server named ${wanted}.` : undefined);
    setProblem(bad);
    if (bad) return;
    const early = setTimeout(p.onChanged, 300);
    const ok = await action.run(() => api.startServer(p.user, wanted, chosen || undefined));
    clearTimeout(early);
    if (ok) setName('');
    p.onChanged();
  };

  const usable = (p.profiles ?? []).filter((x) => !x.error);
  // One entry per profile; the default is the empty choice (the hub picks it), named after what it runs.
  const choices = profileChoices(p.profiles ?? []);
  const chosen = profile ?? firstChoice(choices);
  return (
    <form class="inline-form" data-testid="new-server-form" onSubmit={(e) => void submit(e)} noValidate>
      <label>
        Name{' '}
        <input
          data-testid="new-server-name"
          value={name}
          placeholder="e.g. analysis"
          autocomplete="off"
          onInput={(e) => {
            setName(e.currentTarget.value);
            setProblem(undefined);
          }}
        />
      </label>
      {usable.length > 0 && (
        <label>
          Profile{' '}
          <select data-testid="new-server-profile" value={chosen} onChange={(e) => setProfile(e.currentTarget.value)}>
            {choices.map((c) => (
              <option key={c.value} value={c.value} disabled={c.disabled} title={c.title}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" data-testid="new-server-submit" disabled={action.busy}>
        {action.busy ? 'Starting…' : 'Create and start'}
      </button>
      {(problem ?? action.error) && (
        <p class="error" role="alert" data-testid="new-server-error">
          {problem ?? action.error}
        </p>
      )}
    </form>
  );
};

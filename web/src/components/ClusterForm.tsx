import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { newClusterProblem, userList } from '../clusters.js';

/** Creates a Spark cluster (admins): its name, workers and their cores and memory, its owner and users. */
export const ClusterForm = (p: { me: string; onChanged: () => void }) => {
  const [name, setName] = useState('');
  const [workers, setWorkers] = useState('2');
  const [cores, setCores] = useState('1');
  const [memory, setMemory] = useState('1g');
  const [owner, setOwner] = useState('');
  const [users, setUsers] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const action = useAction();

  const submit = async (e: Event) => {
    e.preventDefault();
    const bad = newClusterProblem({ name, workers, cores, memory });
    setProblem(bad);
    setCreated(undefined);
    if (bad) return;
    const wanted = name.trim();
    const body = {
      name: wanted,
      kind: 'spark' as const,
      workers: Number(workers),
      worker_cores: Number(cores),
      worker_memory: memory.trim().toLowerCase(),
      ...(owner.trim() ? { owner: owner.trim() } : {}),
      ...(users.trim() ? { users: userList(users) } : {}),
    };
    if (await action.run(() => api.createCluster(body))) {
      setCreated(wanted);
      setName('');
    }
    p.onChanged();
  };

  const field = (label: string, testid: string, value: string, set: (v: string) => void, o: { size?: number; placeholder?: string } = {}) => (
    <label>
      {label}{' '}
      <input data-testid={testid} value={value} size={o.size} placeholder={o.placeholder} autocomplete="off" onInput={(e) => set(e.currentTarget.value)} />
    </label>
  );

  return (
    <form class="inline-form" data-testid="cluster-form" onSubmit={(e) => void submit(e)} noValidate>
      {field('Name', 'cluster-form-name', name, setName, { size: 14 })}
      {field('Workers', 'cluster-form-workers', workers, setWorkers, { size: 3 })}
      {field('Cores each', 'cluster-form-cores', cores, setCores, { size: 3 })}
      {field('Memory each', 'cluster-form-memory', memory, setMemory, { size: 5, placeholder: '1g' })}
      {field('Owner', 'cluster-form-owner', owner, setOwner, { size: 10, placeholder: p.me })}
      {field('Users', 'cluster-form-users', users, setUsers, { size: 16, placeholder: 'bob, carol' })}
      <button type="submit" data-testid="cluster-form-submit" disabled={action.busy}>
        Create cluster
      </button>
      {(problem ?? action.error) && (
        <p class="error" role="alert" data-testid="cluster-form-error">
          {problem ?? action.error}
        </p>
      )}
      {created && (
        <p class="ok" data-testid="cluster-form-created">
          Created {created}; start it to use it.
        </p>
      )}
    </form>
  );
};

import { api } from '../api.js';
import { NewServerForm } from '../components/NewServerForm.js';
import { ServerTable } from '../components/ServerTable.js';
import { ServiceList } from '../components/ServiceList.js';
import { usePoll } from '../poll.js';
import type { UserModel } from '../types.js';

/** "My servers": the default server and the named ones, a form to create another, and the services to open. */
export const HomePage = (p: { me: UserModel; refresh: () => void }) => {
  const profiles = usePoll(api.profiles, 60_000, 'profiles');
  return (
    <main>
      <h1>My servers</h1>
      <ServerTable user={p.me} profiles={profiles.data} onChanged={p.refresh} />
      <section>
        <h2>New server</h2>
        <NewServerForm user={p.me.name} existing={Object.keys(p.me.servers)} profiles={profiles.data} onChanged={p.refresh} />
      </section>
      <ServiceList />
    </main>
  );
};

import { api } from '../api.js';
import { usePoll } from '../poll.js';

/** The services a user can open (`display: true` and a URL), as JupyterHub's home page lists them; nothing without any. */
export const ServiceList = () => {
  const services = usePoll(api.services, 60_000, 'services');
  const shown = (services.data ?? []).filter((s) => s.display && s.prefix !== '').sort((a, b) => a.name.localeCompare(b.name));
  if (shown.length === 0) return null;
  return (
    <section data-testid="services">
      <h2>Services</h2>
      <ul>
        {shown.map((s) => (
          <li key={s.name} data-testid="service-row" data-service={s.name}>
            {/* Outside the console: a plain link, the browser goes there with the session cookie. */}
            <a href={s.prefix}>{s.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
};

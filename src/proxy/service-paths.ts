import { stripTokenParam } from './paths.js';

/** `/services/{name}/…` read from a request's URL (pure). */
export type ServicePath =
  /** `forward`: the path and query as the service gets them (prefix kept, as JupyterHub's proxy does; no `?token=`). */
  | { kind: 'service'; name: string; forward: string }
  /** `/services/{name}` without its slash: the browser is sent to `location`. */
  | { kind: 'slash'; location: string }
  | { kind: 'none' };

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const parseServicePath = (url: string): ServicePath => {
  if (!url.startsWith('/services/')) return { kind: 'none' };
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const slash = path.indexOf('/', 10);
  // Compared as sent, undecoded: an encoded name (%2e, %2f) is no service's name.
  const name = slash < 0 ? path.slice(10) : path.slice(10, slash);
  if (!NAME.test(name)) return { kind: 'none' };
  if (slash < 0) return { kind: 'slash', location: `/services/${name}/${stripTokenParam(query)}` };
  return { kind: 'service', name, forward: path + stripTokenParam(query) };
};

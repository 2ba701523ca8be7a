import { stripTokenParam } from './paths.js';

/** `/clusters/{name}/…` read from a request's URL (pure). */
export type ClusterPath =
  /** `forward`: the path and query the master's UI gets (the prefix stripped, no `?token=`); `prefix` ends with '/'. */
  | { kind: 'cluster'; name: string; prefix: string; forward: string }
  /** `/clusters/{name}` without its slash: the browser is sent to `location`. */
  | { kind: 'slash'; location: string }
  | { kind: 'bad'; message: string }
  | { kind: 'none' };

const ROOT = '/clusters/';

const decoded = (seg: string): string | undefined => {
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
};

/**
 * Why a segment is not written plainly, or null. Spark's Jetty decodes and resolves dot segments itself: a
 * `..` or an encoded `/` would reach another path of the UI than the one the hub looked at, so such
 * spellings are refused instead of guessed at.
 */
const unplain = (seg: string): string | null => {
  if (seg === '.' || seg === '..') return 'a dot segment';
  if (!seg.includes('%') && !seg.includes('\\')) return null;
  const d = decoded(seg);
  if (d === undefined) return 'a malformed percent-encoding';
  if (d.includes('/') || d.includes('\\')) return 'an encoded or back slash';
  if (d === '.' || d === '..') return 'an encoded dot segment';
  return null;
};

/**
 * `/clusters/{name}/rest` → the cluster `name` and `/rest` for its master UI (Spark writes its links under
 * spark.ui.reverseProxyUrl=/clusters/{name} and expects the prefix gone). Not under `/clusters/`: `none`,
 * left to the hub's app.
 */
export const parseClusterPath = (url: string): ClusterPath => {
  if (!url.startsWith(ROOT)) return { kind: 'none' };
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const segments = path.slice(ROOT.length).split('/');
  const name = segments[0] as string;
  if (name === '') return { kind: 'bad', message: `Missing cluster name: the path is ${ROOT}{name}/` };
  // Compared as sent: no cluster's name needs encoding, so an encoded one names none.
  if (name.includes('%') || unplain(name) !== null) return { kind: 'bad', message: `Cluster name ${JSON.stringify(name)} is not written plainly` };
  if (segments.length === 1) return { kind: 'slash', location: `${ROOT}${name}/${stripTokenParam(query)}` };
  for (const seg of segments.slice(1)) {
    const why = unplain(seg);
    if (why) return { kind: 'bad', message: `Path ${JSON.stringify(path)} has ${why}; write it plainly` };
  }
  return { kind: 'cluster', name, prefix: `${ROOT}${name}/`, forward: '/' + segments.slice(1).join('/') + stripTokenParam(query) };
};

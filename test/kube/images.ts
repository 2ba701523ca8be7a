import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The registry stand-in: the process kubelet cannot pull images, so images.json says which names exist and
 * what they run. A name not there fails as a kubelet's pull of a missing image does.
 */
export type Image = { entrypoint: string[]; cmd: string[]; path: string[]; size: number };

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');

const jupyterEnv = () =>
  process.env['NBHUB_SPAWNER_JUPYTER_ENV'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local/share'), 'nbhub/jupyter');

/**
 * The "image's own files" of the stand-in: this checkout and the JupyterLab environment. In a real container
 * they live inside the image, so no volume can hide them; here they are host folders, which a volume mounted
 * over a parent (an emptyDir at /tmp with the checkout under /tmp) would hide: the container binds them back.
 */
export const imageDirs = (): string[] => [REPO, jupyterEnv()];

const fill = (s: string) => s.replaceAll('{jupyterEnv}', jupyterEnv()).replaceAll('{repo}', REPO);

type Entry = { entrypoint: string[]; cmd?: string[]; path?: string[]; size: number };

export const loadImages = (file = join(HERE, 'images.json')) => {
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { images: Record<string, Entry> }).images;
  return (name: string): Image | undefined => {
    const ref = withDefaultTag(name);
    for (const [pattern, e] of Object.entries(entries)) {
      const match = pattern.endsWith(':*') ? ref.startsWith(pattern.slice(0, -1)) : ref === withDefaultTag(pattern);
      if (match) return { entrypoint: e.entrypoint.map(fill), cmd: (e.cmd ?? []).map(fill), path: (e.path ?? []).map(fill), size: e.size };
    }
    return undefined;
  };
};

/** `busybox` is `busybox:latest`; a digest or tag is kept. Registries are not normalised (docker.io/...). */
export const withDefaultTag = (name: string) => {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('@') ? name : `${name}:latest`;
};

/** What a containerd-backed kubelet says when an image is not in the registry. */
export const pullFailure = (name: string) => {
  const ref = withDefaultTag(name);
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const full = hasRegistry ? ref : `docker.io/${ref.includes('/') ? ref : `library/${ref}`}`;
  return `failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
};

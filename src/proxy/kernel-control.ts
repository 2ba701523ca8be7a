/** A kernel interrupt, restart or shutdown asked through the runtime's own REST API, from its path. */
export const kernelControlOf = (method: string, forward: string): { kernelId: string; action: 'interrupt' | 'restart' | 'shutdown' } | null => {
  const q = forward.indexOf('?');
  const path = q < 0 ? forward : forward.slice(0, q);
  const m = /\/api\/kernels\/([^/?#]+)(?:\/(interrupt|restart))?\/?$/.exec(path);
  if (!m) return null;
  let kernelId = m[1] as string;
  try {
    kernelId = decodeURIComponent(kernelId);
  } catch {
    return null;
  }
  if (m[2] === undefined) return method === 'DELETE' ? { kernelId, action: 'shutdown' } : null;
  return method === 'POST' ? { kernelId, action: m[2] as 'interrupt' | 'restart' } : null;
};

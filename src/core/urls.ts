/** The public path of a server: `/user/{name}/` for the default one, `/user/{name}/{server}/` for named ones. */
export const serverPath = (user: string, server: string): string =>
  server === '' ? `/user/${encodeURIComponent(user)}/` : `/user/${encodeURIComponent(user)}/${encodeURIComponent(server)}/`;

/**
 * The console's start page of a server (JupyterHub's path): it follows the start and goes to the server once it
 * is ready, to `next` when given (a path under the server's own).
 */
export const startPagePath = (user: string, server: string, next?: string): string =>
  `/hub/spawn-pending/${encodeURIComponent(user)}/${encodeURIComponent(server)}${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`;

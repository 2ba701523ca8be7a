/** The public path of a server: `/user/{name}/` for the default one, `/user/{name}/{server}/` for named ones. */
export const serverPath = (user: string, server: string): string =>
  server === '' ? `/user/${encodeURIComponent(user)}/` : `/user/${encodeURIComponent(user)}/${encodeURIComponent(server)}/`;

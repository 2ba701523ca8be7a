/**
 * User and server names end up in URLs, process environments and folder names, so they are
 * restricted to a portable alphabet: no slashes, no dots at the start, nothing a path could abuse.
 */
export const USER_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,63}$';
export const SERVER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

const userRe = new RegExp(USER_NAME_PATTERN);
const serverRe = new RegExp(SERVER_NAME_PATTERN);

/** A server's state as people read it (the console's badge says the same): the model's `pending` is "starting". */
export const STATE_NAME: Record<'stopped' | 'pending' | 'running' | 'stopping' | 'failed', string> = {
  stopped: 'stopped',
  pending: 'starting',
  running: 'running',
  stopping: 'stopping',
  failed: 'failed',
};

/** A server as messages to users name it. */
export const describeServer = (user: string, name: string): string => (name === '' ? `${user}'s server` : `${user}'s server ${name}`);

export const isValidUserName = (name: string): boolean => userRe.test(name) && !name.includes('..');
/** The default server has the empty name; named servers follow SERVER_NAME_PATTERN. */
export const isValidServerName = (name: string): boolean =>
  name === '' || (serverRe.test(name) && !name.includes('..'));

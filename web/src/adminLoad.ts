import { type AdminQuery, liveIndex, livePage, usersSearch } from './adminView.js';
import { api, ApiError } from './api.js';
import type { LiveAnswer, UserModel, UserPage } from './types.js';

/** The hub's largest page (api.page_max_limit's default). */
const BIG_PAGE = 200;
/** Past this many users, GET /hub/api/live is asked for everyone (an admin sees all) rather than by name. */
const NAMES_IN_URL = 200;

/** CPU and memory now of these users' servers (every one's, for []); undefined from a hub without live readings. */
export const liveOrNone = (users: readonly string[]): Promise<LiveAnswer | undefined> =>
  api.live(users).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  });

/** Every user the query matches, page by page. */
export const allUsers = async (q: AdminQuery): Promise<UserModel[]> => {
  const users: UserModel[] = [];
  for (let offset: number | undefined = 0; offset !== undefined; ) {
    const page: UserPage = await api.usersPage(usersSearch({ ...q, offset }, BIG_PAGE));
    users.push(...page.items);
    offset = page._pagination.next?.offset;
  }
  return users;
};

/** A page sorted by CPU or memory now over every running user (the users API cannot sort by a reading). */
export const liveSortedPage = async (q: AdminQuery, key: 'cpu' | 'memory'): Promise<{ page: UserPage; live: LiveAnswer | undefined }> => {
  const users = await allUsers(q);
  const live = users.length === 0 ? undefined : await liveOrNone(users.length > NAMES_IN_URL ? [] : users.map((u) => u.name));
  return { page: livePage(users, liveIndex(live), key, q.offset), live };
};

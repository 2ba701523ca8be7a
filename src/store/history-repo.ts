import { sql, type Kysely } from 'kysely';
import type { ServerEvent, ServerHistoryRepo } from '../core/store.js';
import type { Database, ServerEventsTable } from './schema.js';

const fromRow = (r: ServerEventsTable): ServerEvent => ({
  user: r.user_name,
  server: r.server,
  t: Number(r.t),
  action: r.action as ServerEvent['action'],
  reason: r.reason as ServerEvent['reason'],
  by: r.actor,
  message: r.message,
  profile: r.profile,
});

export const createHistoryRepo = (db: Kysely<Database>): ServerHistoryRepo => ({
  add: async (e) => {
    // The same event written twice (a pass repeated after a crash) is one event.
    await db
      .insertInto('server_events')
      .values({ user_name: e.user, server: e.server, t: e.t, action: e.action, reason: e.reason, actor: e.by, message: e.message, profile: e.profile })
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
  list: async (user, server, limit) =>
    (
      await db
        .selectFrom('server_events')
        .selectAll()
        .where('user_name', '=', user)
        .where('server', '=', server)
        .orderBy('t', 'desc')
        // In one millisecond a stop follows a start, and a delete a stop.
        .orderBy(sql`case action when 'delete' then 2 when 'stop' then 1 else 0 end`, 'desc')
        .limit(limit)
        .execute()
    ).map(fromRow),
  deleteServer: async (user, server) => {
    await db.deleteFrom('server_events').where('user_name', '=', user).where('server', '=', server).execute();
  },
});

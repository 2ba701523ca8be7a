import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { AuditQuery, AuditRecord } from '../core/audit.js';
import type { AuditRepo } from '../core/store.js';
import { jsonColumn } from './rows.js';
import type { Database } from './schema.js';

type Filtered = SelectQueryBuilder<Database, 'audit_events', object>;

const filtered = (db: Kysely<Database>, q: AuditQuery): Filtered =>
  db
    .selectFrom('audit_events')
    .$if(q.user !== undefined, (s) => s.where('user_name', '=', q.user as string))
    .$if(q.by !== undefined, (s) => s.where('by', '=', q.by as string))
    .$if((q.events?.length ?? 0) > 0, (s) => s.where('event', 'in', q.events as string[]))
    .$if(q.since !== undefined, (s) => s.where('time', '>=', q.since as number))
    .$if(q.until !== undefined, (s) => s.where('time', '<=', q.until as number));

export const createAuditRepo = (db: Kysely<Database>): AuditRepo => ({
  append: async (events) => {
    if (events.length === 0) return;
    await db
      .insertInto('audit_events')
      .values(events.map((e) => ({ time: e.time, event: e.event, user_name: e.user, by: e.by, data: JSON.stringify(e.data) })))
      .execute();
  },
  query: async (q) => {
    const rows = await filtered(db, q).selectAll().orderBy('time', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    const total = await filtered(db, q)
      .select((e) => e.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      items: rows.map(
        (r): AuditRecord => ({
          id: Number(r.id),
          time: Number(r.time),
          event: r.event as AuditRecord['event'],
          user: r.user_name,
          by: r.by,
          data: jsonColumn<Record<string, unknown>>(r.data, {}),
        }),
      ),
      total: Number(total.n),
    };
  },
  prune: async (before) => Number((await db.deleteFrom('audit_events').where('time', '<', before).executeTakeFirst()).numDeletedRows),
});

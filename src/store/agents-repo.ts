import type { Kysely } from 'kysely';
import type { AgentRecord, AgentRepo } from '../core/store.js';
import type { AgentsTable, Database } from './schema.js';

const num = (v: number | null): number | null => (v == null ? null : Number(v));

export const agentFromRow = (r: AgentsTable): AgentRecord => ({
  id: r.id,
  url: r.url,
  secret: r.secret,
  registeredAt: Number(r.registered_at),
  lastContact: num(r.last_contact),
  lastError: r.last_error,
  storedOffset: Number(r.stored_offset),
  storedTime: num(r.stored_time),
  headOffset: Number(r.head_offset),
  headTime: num(r.head_time),
  eventsLost: Number(r.events_lost),
  leaseOwner: r.lease_owner,
  leaseExpires: num(r.lease_expires),
});

/** Agents and their leases. A lease changes hands only through a conditional update (compare and set). */
export const createAgentRepo = (db: Kysely<Database>): AgentRepo => {
  const get = async (id: string) => {
    const row = await db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row && agentFromRow(row);
  };
  return {
    register: async ({ id, url, secret, at }) => {
      await db
        .insertInto('agents')
        .values({ id, url, secret, registered_at: at, stored_offset: 0, head_offset: 0, events_lost: 0 })
        .onConflict((oc) => oc.column('id').doUpdateSet({ url, secret, registered_at: at }))
        .execute();
      return (await get(id)) as AgentRecord;
    },
    get,
    list: async () => (await db.selectFrom('agents').selectAll().orderBy('id').execute()).map(agentFromRow),
    delete: async (id) => Number((await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0,
    claim: async (id, owner, now, until) => {
      const r = await db
        .updateTable('agents')
        .set({ lease_owner: owner, lease_expires: until })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_expires', '<', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    renew: async (owner, ids, until) => {
      if (ids.length === 0) return [];
      // Renewed rows are read back in the same statement where the dialect allows; two steps are as safe,
      // since only the owner itself can move its lease forward.
      await db.updateTable('agents').set({ lease_expires: until }).where('lease_owner', '=', owner).where('id', 'in', ids).execute();
      const rows = await db.selectFrom('agents').select('id').where('lease_owner', '=', owner).where('id', 'in', ids).execute();
      return rows.map((r) => r.id);
    },
    release: async (owner, ids) => {
      if (ids.length === 0) return;
      await db.updateTable('agents').set({ lease_owner: null, lease_expires: null }).where('lease_owner', '=', owner).where('id', 'in', ids).execute();
    },
    noteContact: async (id, owner, c) => {
      const set: Partial<AgentsTable> = c.error === null ? { last_contact: c.at, last_error: null } : { last_error: c.error };
      if (c.headOffset !== undefined) set.head_offset = c.headOffset;
      if (c.headTime !== undefined) set.head_time = c.headTime;
      await db.updateTable('agents').set(set).where('id', '=', id).where('lease_owner', '=', owner).execute();
    },
  };
};

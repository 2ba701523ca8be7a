import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import { conflict } from '../core/errors.js';
import type { AgentEvent } from '../core/events.js';
import type { EventBatchWrite, EventRepo, PreparedBatch, StoredEvent } from '../core/store.js';
import { runAll, type BulkInsert } from './bulk.js';
import type { AgentEventsTable, Database } from './schema.js';
import type { IdOf, SeriesIds } from './series-ids.js';
import { upsertNotebooks, usageStatements, type RawRepeats } from './usage-repo.js';

/** PostgreSQL advisory lock taken before events get their seq, so seqs ascend in commit order. */
const SEQ_LOCK = 0x6e6268756206;

const EVENT_COLUMNS = [
  ['agent', 'text'],
  ['agent_offset', 'bigint'],
  ['time', 'bigint'],
  ['stored_at', 'bigint'],
  ['type', 'text'],
  ['data', 'text'],
] as const;

const toRow = (agent: string, storedAt: number, e: AgentEvent): unknown[] => {
  const { offset, time, type, ...rest } = e;
  return [agent, offset, time, storedAt, type, JSON.stringify(rest)];
};

const fromRow = (r: Selectable<AgentEventsTable>): StoredEvent => ({
  seq: Number(r.seq),
  agent: r.agent,
  storedAt: Number(r.stored_at),
  event: { type: r.type, offset: Number(r.agent_offset), time: Number(r.time), ...(JSON.parse(r.data) as object) } as AgentEvent,
});

/** A batch with the statements that write its usage rows and events, once its series have ids. */
interface Planned extends PreparedBatch {
  repeats: RawRepeats;
  statements(idOf: IdOf): { usage: Iterable<CompiledQuery>; events: Iterable<CompiledQuery> };
  /** Its series' ids, when all were known as it was prepared (then its statements may be built already). */
  idOf: IdOf | undefined;
}

function* eventStatements(bulk: BulkInsert, b: EventBatchWrite): Generator<CompiledQuery> {
  yield* bulk({ table: 'agent_events', columns: EVENT_COLUMNS }, b.events.map((e) => toRow(b.agent, b.at, e)));
}

/**
 * PostgreSQL runs the statements in another process: building them ahead (`early`) lets that work overlap the
 * batch before. SQLite runs them in this thread, where building early gains nothing and keeps a whole batch of
 * parameters alive at once (more survives into V8's old generation: the hub stored ~8% fewer events/s), so
 * there they are built one by one as they run, as before.
 */
const plan = (bulk: BulkInsert, b: EventBatchWrite, repeats: RawRepeats, early: boolean, idOf: IdOf | undefined): Planned => {
  const build = (ids: IdOf) => ({ usage: usageStatements(bulk, b.usage, ids, repeats), events: eventStatements(bulk, b) });
  const ahead = early && idOf ? build(idOf) : undefined;
  const built = ahead && { usage: [...ahead.usage], events: [...ahead.events] };
  return { batch: b, repeats, idOf, statements: (ids) => built ?? build(ids) };
};

/** A planned batch, its usage rows and the agent's new offset, in one transaction. */
const writeBatch = (db: Kysely<Database>, dialect: 'sqlite' | 'postgres', p: Planned, idOf: IdOf) =>
  db.transaction().execute(async (tx) => {
    const b = p.batch;
    const { usage, events } = p.statements(idOf);
    // First, so the agent's row stays locked to the end: a second writer of this agent waits, then finds
    // the offset moved and writes nothing.
    const moved = await tx
      .updateTable('agents')
      .set((eb) => ({
        stored_offset: b.through,
        stored_time: b.throughTime,
        head_offset: b.headOffset,
        head_time: b.headTime,
        last_contact: b.at,
        last_error: null,
        events_lost: eb('events_lost', '+', b.lost),
      }))
      .where('id', '=', b.agent)
      .where('stored_offset', '=', b.after)
      .where('lease_owner', '=', b.owner)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw conflict(`agent ${b.agent}: offset ${b.after} is no longer the stored one, or the lease moved`);
    await runAll(tx, usage);
    if (b.notebooks.length > 0) await upsertNotebooks(tx, b.notebooks, b.at);
    if (b.events.length === 0) return;
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${SEQ_LOCK})`.execute(tx);
    await runAll(tx, events);
  });

/** Stored events, written with the agent's offset in one transaction (DESIGN.md idea 7). */
export const createEventRepo = (
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  bulk: BulkInsert,
  isUniqueViolation: (err: unknown) => boolean,
  ids: SeriesIds,
): EventRepo => {
  // What this repo prepared (anything else is prepared again: its statements could be another dialect's).
  const mine = new WeakSet<PreparedBatch>();
  const prepare = (b: EventBatchWrite): Planned => {
    const p = plan(bulk, b, 'fail', dialect === 'postgres', ids.known(b.usage));
    mine.add(p);
    return p;
  };
  return {
    // Samples repeat a stored one's series and time only in odd cases (an agent's log replayed): written
    // first without checking each one, and only a batch that does repeat is written again keeping the stored.
    prepare,
    store: async (b) => {
      const first = mine.has(b as PreparedBatch) ? (b as Planned) : prepare('batch' in b ? b.batch : b);
      // A series first seen in this batch gets its id now (in steady streams every series is known).
      const idOf = first.idOf ?? (await ids.resolve(first.batch.usage));
      try {
        await writeBatch(db, dialect, first, idOf);
      } catch (err) {
        if (!isUniqueViolation(err) || first.repeats === 'keep') throw err;
        await writeBatch(db, dialect, plan(bulk, first.batch, 'keep', false, idOf), idOf);
      }
    },
    page: async (after, limit) =>
      (await db.selectFrom('agent_events').selectAll().where('seq', '>', after).orderBy('seq').limit(limit).execute()).map(fromRow),
    ofAgent: async (agent, after, through) =>
      (
        await db
          .selectFrom('agent_events')
          .selectAll()
          .where('agent', '=', agent)
          .where('agent_offset', '>', after)
          .where('agent_offset', '<=', through)
          .orderBy('agent_offset')
          .execute()
      ).map(fromRow),
    prune: async (before) => {
      // Event times grow with seq (closely, not strictly): find the first seq at or after the cut-off by
      // bisection on the primary key instead of keeping an index on time for this alone.
      const bounds = await db.selectFrom('agent_events').select((eb) => [eb.fn.min('seq').as('lo'), eb.fn.max('seq').as('hi')]).executeTakeFirst();
      if (bounds?.lo == null || bounds.hi == null) return;
      let lo = Number(bounds.lo);
      let hi = Number(bounds.hi) + 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const row = await db.selectFrom('agent_events').select(['seq', 'time']).where('seq', '>=', mid).orderBy('seq').limit(1).executeTakeFirst();
        if (row && Number(row.time) < before) lo = Number(row.seq) + 1;
        else hi = mid;
      }
      await db.deleteFrom('agent_events').where('seq', '<', lo).execute();
    },
  };
};

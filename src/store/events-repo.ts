import type { Kysely, Selectable } from 'kysely';
import { conflict } from '../core/errors.js';
import type { AgentEvent } from '../core/events.js';
import type { EventBatchWrite, EventRepo, PreparedBatch, StoredEvent } from '../core/store.js';
import type { BulkSpec, BulkWrite, Guarded, GuardedRun } from './bulk.js';
import type { StoreDialect } from './dialect.js';
import type { AgentEventsTable, Database } from './schema.js';
import { SERIES_RETRIES } from './series-epoch.js';
import type { IdOf, SeriesIds } from './series-ids.js';
import { notebooksWrite, usageWrites, type RawRepeats } from './usage-repo.js';

const EVENTS: BulkSpec = {
  table: 'agent_events',
  columns: [
    ['agent', 'text'],
    ['agent_offset', 'bigint'],
    ['time', 'bigint'],
    ['stored_at', 'bigint'],
    ['type', 'text'],
    ['data', 'text'],
  ],
  // Readers page by seq (GET /hub/api/events?after=): a seq taken later must not commit earlier.
  ordered: true,
};

/** A batch's events by column; an event's data is what its offset, time and type leave. */
const eventsWrite = (b: EventBatchWrite): BulkWrite => {
  const n = b.events.length;
  const offsets = new Float64Array(n);
  const times = new Float64Array(n);
  const types = new Array<string>(n);
  const data = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const { offset, time, type, ...rest } = b.events[i] as AgentEvent;
    offsets[i] = offset;
    times[i] = time;
    types[i] = type;
    data[i] = JSON.stringify(rest);
  }
  return { spec: EVENTS, count: n, columns: [{ same: b.agent }, offsets, times, { same: b.at }, types, data] };
};

const fromRow = (r: Selectable<AgentEventsTable>): StoredEvent => ({
  seq: Number(r.seq),
  agent: r.agent,
  storedAt: Number(r.stored_at),
  event: { type: r.type, offset: Number(r.agent_offset), time: Number(r.time), ...(JSON.parse(r.data) as object) } as AgentEvent,
});

/** A batch with its write, once its series have ids. */
interface Planned extends PreparedBatch {
  repeats: RawRepeats;
  write(idOf: IdOf): GuardedRun;
  /** Its series' ids, when all were known as it was prepared (then its write may be built already). */
  idOf: IdOf | undefined;
}

/** Usage rows, notebook links, then the events: each built when the dialect reaches it. */
function* batchWrites(b: EventBatchWrite, idOf: IdOf, repeats: RawRepeats): Generator<BulkWrite> {
  yield* usageWrites(b.usage, idOf, repeats);
  if (b.notebooks.length > 0) yield notebooksWrite(b.notebooks, b.at);
  yield eventsWrite(b);
}

/**
 * The agent's new offset, as a compare-and-set: it moves only from `after`, and only for the lease's owner
 * (a second writer of this agent finds the offset moved and writes nothing), and, with usage rows, only while
 * their series ids hold (series-epoch.ts).
 */
const guardOf = (db: Kysely<Database>, ids: SeriesIds, b: EventBatchWrite, idOf: IdOf) =>
  db
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
    .$if(b.usage.length > 0, (q) => q.where(ids.holds(idOf.epoch)))
    .returning('id')
    .compile();

/**
 * Built as soon as the ids are known, so a dialect that builds its SQL at once (PostgreSQL, which runs it in
 * another process) does it while the batch before is being written.
 */
const plan = (db: Kysely<Database>, guarded: Guarded, series: SeriesIds, b: EventBatchWrite, repeats: RawRepeats, idOf: IdOf | undefined): Planned => {
  const build = (ids: IdOf) => guarded(guardOf(db, series, b, ids), batchWrites(b, ids, repeats));
  const ready = idOf && build(idOf);
  return { batch: b, repeats, idOf, write: (ids) => ready ?? build(ids) };
};

/** Stored events, written with the agent's offset in one transaction (DESIGN.md idea 7). */
export const createEventRepo = (db: Kysely<Database>, dialect: StoreDialect, ids: SeriesIds): EventRepo => {
  const guarded = dialect.bulk.guarded;
  // What this repo prepared (anything else is prepared again: its statements could be another dialect's).
  const mine = new WeakSet<PreparedBatch>();
  const prepare = (b: EventBatchWrite): Planned => {
    const p = plan(db, guarded, ids, b, 'fail', ids.known(b.usage));
    mine.add(p);
    return p;
  };
  return {
    // Samples repeat a stored one's series and time only in odd cases (an agent's log replayed): written
    // first without checking each one, and only a batch that does repeat is written again keeping the stored.
    prepare,
    store: async (b) => {
      let p = mine.has(b as PreparedBatch) ? (b as Planned) : prepare('batch' in b ? b.batch : b);
      // A series first seen in this batch gets its id now (in steady streams every series is known).
      let idOf = p.idOf ?? (await ids.resolve(p.batch.usage));
      for (let attempt = 1; ; attempt++) {
        try {
          if (await p.write(idOf)(db)) return;
        } catch (err) {
          if (!dialect.isUniqueViolation(err) || p.repeats === 'keep') throw err;
          p = plan(db, guarded, ids, p.batch, 'keep', undefined);
          continue;
        }
        // Refused: the offset or the lease moved, or (with usage rows) series were deleted or renamed since
        // the ids were read; then again with ids read now, a few times at most (each is one rare change).
        if (p.batch.usage.length === 0 || attempt >= SERIES_RETRIES || !(await ids.moved(idOf.epoch))) {
          throw conflict(`agent ${p.batch.agent}: offset ${p.batch.after} is no longer the stored one, or the lease moved`);
        }
        idOf = await ids.resolve(p.batch.usage);
        p = plan(db, guarded, ids, p.batch, p.repeats, undefined);
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

import type { Kysely } from 'kysely';
import type { OidcSessionRecord, OidcSessionRepo } from '../core/oidc-login.js';
import type { Database, OidcSessionsTable } from './schema.js';

const fromRow = (r: OidcSessionsTable): OidcSessionRecord => ({
  sessionHash: r.session_hash,
  user: r.user_name,
  refreshToken: r.refresh_token,
  idToken: r.id_token,
  refreshedAt: Number(r.refreshed_at),
});

export const createOidcSessionsRepo = (db: Kysely<Database>): OidcSessionRepo => ({
  put: async (s) => {
    const row = { session_hash: s.sessionHash, user_name: s.user, refresh_token: s.refreshToken, id_token: s.idToken, refreshed_at: s.refreshedAt };
    await db
      .insertInto('oidc_sessions')
      .values(row)
      .onConflict((oc) => oc.column('session_hash').doUpdateSet({ user_name: row.user_name, refresh_token: row.refresh_token, id_token: row.id_token, refreshed_at: row.refreshed_at }))
      .execute();
  },
  get: async (hash) => {
    const row = await db.selectFrom('oidc_sessions').selectAll().where('session_hash', '=', hash).executeTakeFirst();
    return row && fromRow(row);
  },
  due: async (before, limit) =>
    (await db.selectFrom('oidc_sessions').selectAll().where('refreshed_at', '<=', before).orderBy('refreshed_at').limit(limit).execute()).map(fromRow),
  claim: async (hash, seen, now) => {
    const r = await db.updateTable('oidc_sessions').set({ refreshed_at: now }).where('session_hash', '=', hash).where('refreshed_at', '=', seen).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  delete: async (hash) => {
    await db.deleteFrom('oidc_sessions').where('session_hash', '=', hash).execute();
  },
});

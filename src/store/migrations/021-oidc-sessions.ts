import type { Kysely } from 'kysely';

/**
 * Sessions logged in through an OpenID provider (issue 16): the provider's refresh token, kept server-side beside
 * the session (never in a cookie), and when it was last refreshed. Keyed by the session's id hash; a row whose
 * session is gone is dropped at its next refresh.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('oidc_sessions')
    .addColumn('session_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('refresh_token', 'text')
    .addColumn('id_token', 'text')
    .addColumn('refreshed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_sessions_refreshed').on('oidc_sessions').column('refreshed_at').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('oidc_sessions').execute();
};

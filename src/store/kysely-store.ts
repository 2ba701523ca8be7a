import { Migrator, type Kysely } from 'kysely';
import { createAgentRepo } from './agents-repo.js';
import { createClustersRepo } from './clusters-repo.js';
import type { StoreDialect } from './dialect.js';
import { createEventRepo } from './events-repo.js';
import { createExecutionRepo } from './execution-repo.js';
import { createHistoryRepo } from './history-repo.js';
import { createInstancesRepo } from './instances-repo.js';
import { createMetaRepo } from './meta-repo.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { SeriesIds } from './series-ids.js';
import { createServersRepo } from './servers-repo.js';
import { createSessionsRepo } from './sessions-repo.js';
import { createSparkJobsRepo } from './spark-jobs-repo.js';
import type { TestStore } from './testing.js';
import { createTokensRepo } from './tokens-repo.js';
import { createUsageRepo } from './usage-repo.js';
import { createUsersRepo } from './users-repo.js';
import { createGroupsRepo } from './groups-repo.js';
import { createOidcSessionsRepo } from './oidc-sessions-repo.js';
import { createAuditRepo } from './audit-repo.js';

/** The Store on any database kysely speaks: the repos are shared, the database's differences are `dialect`'s. */
export const createKyselyStore = (db: Kysely<Database>, dialect: StoreDialect): TestStore => {
  // Shared by the two writers of usage rows, so a series resolved by one is known to the other.
  const seriesIds = new SeriesIds(db, dialect);
  return {
    kind: dialect.kind,
    capabilities: dialect.capabilities,
    users: createUsersRepo(db, dialect),
    servers: createServersRepo(db, dialect),
    tokens: createTokensRepo(db, dialect),
    sessions: createSessionsRepo(db),
    groups: createGroupsRepo(db, dialect),
    oidcSessions: createOidcSessionsRepo(db),
    audit: createAuditRepo(db),
    meta: createMetaRepo(db),
    usage: createUsageRepo(db, dialect, seriesIds),
    history: createHistoryRepo(db),
    executions: createExecutionRepo(db, dialect),
    agents: createAgentRepo(db),
    instances: createInstancesRepo(db),
    events: createEventRepo(db, dialect, seriesIds),
    clusters: createClustersRepo(db),
    sparkJobs: createSparkJobsRepo(db),
    migrate: async () => {
      // Migrations are numbered per feature and may land out of order; each runs once whatever the order.
      const { error, results } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error || failed) {
        throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${String((error as Error | undefined)?.message ?? error)}`, {
          cause: error,
        });
      }
    },
    close: async () => {
      await db.destroy();
      await dialect.close?.();
    },
  };
};

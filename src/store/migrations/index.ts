import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-usage.js';
import * as m003 from './003-usage-counter-pairs.js';
import * as m004 from './004-executions.js';
import * as m005 from './005-server-history.js';
import * as m006 from './006-agents-events.js';
import * as m007 from './007-stop-requested-at.js';
import * as m008 from './008-rollup-fillfactor.js';
import * as m009 from './009-usage-kernel-index.js';
import * as m010 from './010-usage-series.js';
import * as m011 from './011-server-owner.js';
import * as m012 from './012-server-changes.js';
import * as m013 from './013-usage-series-epoch.js';
import * as m014 from './014-spark-clusters.js';
import * as m015 from './015-execution-spark-cpu.js';
import * as m016 from './016-server-event-profile.js';
import * as m017 from './017-groups.js';
import * as m018 from './018-token-scopes.js';
import * as m019 from './019-audit-events.js';
import * as m021 from './021-oidc-sessions.js';

/** Versioned migrations, in order. Add a file and a line; never edit a released one. */
const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-usage': m002,
  '003-usage-counter-pairs': m003,
  '004-executions': m004,
  '005-server-history': m005,
  '006-agents-events': m006,
  // Needs 005's table; numbers are handed out per feature, so it runs after whatever 006 is.
  '007-stop-requested-at': m007,
  '008-rollup-fillfactor': m008,
  '009-usage-kernel-index': m009,
  '010-usage-series': m010,
  '011-server-owner': m011,
  '012-server-changes': m012,
  '013-usage-series-epoch': m013,
  '014-spark-clusters': m014,
  '015-execution-spark-cpu': m015,
  '016-server-event-profile': m016,
  '017-groups': m017,
  '018-token-scopes': m018,
  '019-audit-events': m019,
  '021-oidc-sessions': m021,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

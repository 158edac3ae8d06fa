import { parseArgs } from 'node:util';
import { getConfig } from '../config';
import { withApp } from '../app';
import { usageFailure } from './command-failure';
import { migrateDown, migrateLatest, migrateTo, migrationStatus, rollbackPlan } from '../db/migrate';
import { populatedTablesDroppedBy, workerSessionCount } from '../db/rollback-guards';

export const MIGRATE_USAGE = `Usage: tenant-workflows migrate [--check] [--to VERSION] [--down --step N --yes [--force-data-loss]] [--json]

Applies pending database migrations as DB_USER_ADMIN, granting DB_USER_SERVER access to the tables.
Tenant tables go to DB_NAME_SERVER; the worker's own tables and both version tables to the schema
WORKFLOW_STORAGE_SCHEMA (on WORKFLOW_STORAGE_DB_* when set).
  --check            apply nothing; print current and pending migrations, exit 1 when any is pending
  --to VERSION       apply pending migrations up to and including VERSION (a name or its numeric prefix)
  --down --step N    roll back the newest N applied migrations (drops their tables and data); needs --yes,
                     and refuses while a worker is connected or a table it would drop holds rows
  --yes              confirm --down
  --force-data-loss  let --down drop tables that hold rows
  --json             machine-readable output`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      check: { type: 'boolean' },
      to: { type: 'string' },
      down: { type: 'boolean' },
      step: { type: 'string' },
      yes: { type: 'boolean' },
      'force-data-loss': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const steps = values.step === undefined ? undefined : Number(values.step);
  const usageError = (message: string) => {
    throw usageFailure(message, MIGRATE_USAGE);
  };
  if (values.down && (steps === undefined || !Number.isInteger(steps) || steps < 1)) return usageError('--down needs --step N, a positive integer');
  if (!values.down && steps !== undefined) return usageError('--step only goes with --down');
  if (!values.down && (values.yes || values['force-data-loss'])) return usageError('--yes and --force-data-loss only go with --down');
  if (values.down && !values.yes) return usageError('--down drops tables and their data; add --yes to confirm');
  if ([values.check, values.down, values.to !== undefined].filter(Boolean).length > 1) return usageError('use one of --check, --to, --down');

  const config = getConfig();
  const refuse = (reason: string) => {
    if (values.json) console.log(JSON.stringify({ refused: reason }));
    console.error(`migrate --down refused: ${reason}`);
    return 1;
  };
  // Before this process's own pool opens a session, which the count would include.
  const workerSessions = values.down ? await workerSessionCount(config) : 0;
  if (workerSessions > 0) {
    return refuse(`${workerSessions} session(s) of a running worker are connected to ${config.db.database}; stop the workers first (kubectl scale deployment/tenant-workflows --replicas=0)`);
  }
  const print = (json: object, text: string) => console.log(values.json ? JSON.stringify(json) : text);
  return withApp(config, async ({ database: db }) => {
    if (values.check) {
      const status = await migrationStatus(db, config);
      const pendingText = status.pending.length === 0 ? 'database is up to date' : `pending migrations (${status.pending.length}):\n${status.pending.map((n) => `  ${n}`).join('\n')}`;
      print(status, `current: ${status.current ?? 'none'}\n${pendingText}`);
      return status.pending.length === 0 ? 0 : 1;
    }
    if (values.down && !values['force-data-loss']) {
      const populated = await populatedTablesDroppedBy(db, config, await rollbackPlan(db, config, steps!));
      if (populated.length > 0) return refuse(`it would drop tables that hold rows: ${populated.join(', ')}; back them up, then add --force-data-loss`);
    }
    const verb = values.down ? 'rolled back' : 'applied';
    const changed = values.down
      ? await migrateDown(db, config, steps!)
      : values.to !== undefined
        ? await migrateTo(db, config, values.to)
        : await migrateLatest(db, config);
    const status = await migrationStatus(db, config);
    print({ [values.down ? 'rolledBack' : 'applied']: changed, current: status.current, pending: status.pending }, `${verb} ${changed.length}${changed.length ? `: ${changed.join(', ')}` : ''}\ncurrent: ${status.current ?? 'none'}`);
    return 0;
  });
}

import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { createActivities } from '../../src/activities';
import { TRANSIENT_DATABASE_ERROR } from '../../src/activities/failures';
import { loadConfig } from '../../src/config';
import { withSingleConnection } from '../../src/db/admin';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../support/test-database';
import { createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { ADMIN_ROLE } from '../../src/contracts/tenant-seed';
import { testingOnCitus } from '../harness/citus-cluster';
import { activityHarness } from '../support/activity-environment';
import { adminInput, TenantCleanup, tenantInput, TEST_BCRYPT_COST } from '../support/tenant-fixtures';
import { countTenantRows } from '../harness/tenant-rows';

/** The pool's sessions carry statement_timeout, lock_timeout and idle_in_transaction_session_timeout from the config. */
const LOCK_TIMEOUT_MS = 300;
/** How long the other session holds its lock at most: far past the lock timeout, so only the timeout can end the wait early. */
const HOLD_MS = 5000;
const config = loadConfig({ ...process.env, DB_STATEMENT_TIMEOUT_MS: '4000', DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS), DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '7000' });
let database: Database;
let knex: Knex;
const cleanup = new TenantCleanup();

beforeAll(() => {
  database = openTestDatabase(config);
  knex = database.admin;
});
afterAll(async () => {
  await cleanup.removeAll(knex);
  await database.close();
});

describe('the pool built from the config', () => {
  it('sets the configured limits on its sessions', async () => {
    const { rows } = await knex.raw<{ rows: Record<string, string>[] }>(
      "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle",
    );
    expect(rows[0]).toEqual({ statement: '4s', lock: '300ms', idle: '7s' });
  });

  it('leaves a limit set to 0 to the server', async () => {
    const unset = loadConfig({ ...process.env, DB_STATEMENT_TIMEOUT_MS: '0', DB_LOCK_TIMEOUT_MS: '0', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' });
    const { rows } = await withSingleConnection(unset.db, unset.db.database, (k) => k.raw<{ rows: { statement: string }[] }>("SELECT current_setting('statement_timeout') AS statement"));
    expect(rows[0]?.statement).toBe('0');
  });
});

describe('a step blocked on a row another session locked', () => {
  it('fails within the lock timeout as a retryable 55P03, and its transaction rolls back', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    const harness = activityHarness(createActivities({ knex, bcryptCost: TEST_BCRYPT_COST }));

    // The step inserts the user, then waits for the Admin role's row to link it: the insert must not survive.
    // The other session commits nothing: it only holds the lock.
    const { failure, elapsedMs } = await withSingleConnection(config.db, config.db.database, (other) =>
      other.transaction(async (trx) => {
        await trx('roles').where({ tenant: tenantId, name: ADMIN_ROLE }).forUpdate().first();
        const startedAt = Date.now();
        const step = harness.run('createAdminUser', adminInput(tenantId)).then(
          () => undefined,
          (error: unknown) => error,
        );
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([step, new Promise((resolve) => (timer = setTimeout(resolve, HOLD_MS, 'still waiting')))]);
        clearTimeout(timer);
        return { failure: outcome, elapsedMs: Date.now() - startedAt };
      }),
    );

    expect(failure).toBeInstanceOf(ApplicationFailure);
    if (testingOnCitus()) {
      // On Citus the lock is waited for on the worker holding the shard, whose connection from the coordinator
      // does not carry the pool's startup parameters: the coordinator's statement_timeout (4 s) ends the wait.
      expect(failure).toMatchObject({ type: TRANSIENT_DATABASE_ERROR, nonRetryable: false, message: expect.stringMatching(/\(SQLSTATE (55P03|57014)\)/) });
      expect(elapsedMs).toBeLessThan(4000 + 2000);
    } else {
      expect(failure).toMatchObject({ type: TRANSIENT_DATABASE_ERROR, nonRetryable: false, message: expect.stringContaining('(SQLSTATE 55P03)') });
      expect(elapsedMs).toBeLessThan(LOCK_TIMEOUT_MS + 2000);
    }
    expect(await countTenantRows(knex, tenantId)).toMatchObject({ users: 0, user_roles: 0 });
  });
});

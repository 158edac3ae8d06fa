import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import { TRANSIENT_DATABASE_ERROR } from '../../src/activities/failures';
import { runRecords } from '../../src/db/run-records';
import { loadConfig } from '../../src/config';
import { activityHarness } from '../support/activity-environment';
import { TEST_BCRYPT_COST, useAdminConnection } from '../support/tenant-fixtures';
import { testDatabase } from '../support/test-database';
import { waitFor } from '../harness/wait-for';

const { knex } = useAdminConnection();
const config = loadConfig(process.env);
const runs = runRecords(config, testDatabase());
const activities = createActivities({ knex, bcryptCost: TEST_BCRYPT_COST, runs });

describe('recordRunOutcome', () => {
  it('maps a transient database error like every step does: retryable, so the run record does not stay compensating', async () => {
    const table = `${config.storage.schema}.provisioning_runs`;
    const harness = activityHarness(activities);
    await knex.transaction(async (trx) => {
      await trx.raw('LOCK TABLE ?? IN ACCESS EXCLUSIVE MODE', [table]);
      const recording = harness
        .run('recordRunOutcome', { status: 'compensated', failure: { step: 'createTenant', message: 'test' } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // The activity waits on the lock; cancelling its statement is a transient server error (57014).
      // Probed on another connection: inside a transaction pg_stat_activity is a snapshot.
      const blocked = await waitFor(
        async () =>
          (await knex.raw<{ rows: Array<{ pid: number }> }>("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND query ILIKE '%provisioning_runs%'")).rows[0]?.pid,
        'recordRunOutcome waiting on the lock',
        10_000,
      );
      await trx.raw('SELECT pg_cancel_backend(?::int)', [blocked]);
      const error = await recording;
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: TRANSIENT_DATABASE_ERROR, nonRetryable: false });
    });
  });
});

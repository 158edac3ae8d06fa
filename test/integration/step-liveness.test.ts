import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import { HEARTBEAT_INTERVAL_MS } from '../../src/activities/step-runner';
import { activityHarness, type ActivityHarness } from '../support/activity-environment';
import { tenantInput, TEST_BCRYPT_COST, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';
import { testingOnCitus } from '../harness/citus-cluster';

const { knex, cleanup } = useAdminConnection();
const activities = createActivities({ knex, bcryptCost: TEST_BCRYPT_COST });

/** A created tenant (no seed data yet) and the harness that created it. */
async function createdTenant(): Promise<{ harness: ActivityHarness; tenantId: string }> {
  const harness = activityHarness(activities);
  const { name, slug, contactEmail } = tenantInput();
  const { tenantId } = await harness.run('createTenant', { name, slug, contactEmail });
  return { harness, tenantId: cleanup.track(tenantId) };
}

/** Holds the tenant's row lock in another session, so the tenant's next step waits for it; resolves with the release. */
async function lockTenantRow(tenantId: string): Promise<() => Promise<void>> {
  const trx = await knex.transaction();
  await trx('tenants').where({ tenant: tenantId }).forUpdate().first('tenant');
  return async () => {
    await trx.commit();
  };
}

/**
 * Whether a session of the pool waits for a lock (seen from another session: pg_stat_activity is a snapshot
 * inside a transaction). On Citus the wait happens on the worker holding the shard, so the coordinator's
 * pg_stat_activity does not show it; citus_lock_waits gathers the waits of the whole cluster.
 */
async function waitingOnLock(): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    testingOnCitus()
      ? 'SELECT 1 FROM citus_lock_waits'
      : "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows.length > 0;
}

const failureOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('a step that runs long', () => {
  it('heartbeats while it waits, so Temporal can tell a slow step from a dead worker, and stops when it ends', async () => {
    const { harness, tenantId } = await createdTenant();
    const unlock = await lockTenantRow(tenantId);
    const setup = harness.run('setupTenantData', tenantId);
    const whileWaiting = await waitFor(() => Promise.resolve(harness.heartbeats() >= 2 && harness.heartbeats()), 'two heartbeats while the step waits');
    await unlock();
    await setup;
    const atTheEnd = harness.heartbeats();
    // Proving an absence takes time: longer than one heartbeat interval, nothing more may come.
    await sleep(1.5 * HEARTBEAT_INTERVAL_MS);

    expect(whileWaiting).toBeGreaterThanOrEqual(2);
    expect(harness.heartbeats()).toBe(atTheEnd);
  });

  it('rolls back instead of committing once Temporal has given up on the attempt, and its retry then commits', async () => {
    const { harness, tenantId } = await createdTenant();
    const unlock = await lockTenantRow(tenantId);
    const setup = failureOf(harness.run('setupTenantData', tenantId));
    try {
      await waitFor(() => waitingOnLock(), 'the step to wait for the row lock, inside its transaction');
      harness.cancel('TIMED_OUT');
    } finally {
      // Never leave the lock's transaction open: the suite's cleanup and pool would wait on it for ever.
      await unlock();
    }

    expect(await setup).toBeInstanceOf(CancelledFailure);
    expect(await countTenantRows(knex, tenantId)).toEqual({ ...NO_ROWS, tenants: 1 });

    await activityHarness(activities).run('setupTenantData', tenantId);
    expect(await countTenantRows(knex, tenantId)).toEqual({ ...FULL_TENANT_ROWS, users: 0, user_roles: 0 });
  });
});

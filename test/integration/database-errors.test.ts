import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { createActivities } from '../../src/activities';
import { TRANSIENT_DATABASE_ERROR } from '../../src/activities/failures';
import { ProvisioningError } from '../../src/contracts/errors';
import { createTenantInDB, rollbackTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { activityHarness } from '../support/activity-environment';
import type { Database } from '../../src/db/database';
import { testingOnCitus } from '../harness/citus-cluster';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import type { ScratchDatabase } from '../harness/scratch-database';
import { adminInput, provisionTenant, TenantCleanup, tenantInput, TEST_BCRYPT_COST } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS } from '../harness/tenant-rows';

/** Errors the database raises in the middle of an operation. Changes the schema, so it has a database of its own. */
let scratch: ScratchDatabase;
let knex: Knex;
let database: Database;
const cleanup = new TenantCleanup();
const REFUSED_EMAIL_PREFIX = 'refused-';
const CHECKED_EMAIL_PREFIX = 'checked-';

beforeAll(async () => {
  ({ scratch, knex, database } = await createMigratedScratchDatabase('tw_database_errors'));
  // A table the rollback does not know about, whose rows keep a tenant from being deleted.
  await knex.schema.createTable('tenant_notes', (t) => {
    t.uuid('tenant').notNullable().references('tenant').inTable('tenants');
    t.text('note').notNullable();
  });
  // On Citus a table referencing tenants must be distributed with it (errors then name the shard: tenant_notes_102xxx).
  if (testingOnCitus()) await knex.raw("SELECT create_distributed_table('public.tenant_notes', 'tenant', colocate_with => 'public.tenants')");
  // A fault no conflict handling anticipates, raised while the user row (with its hash) is inserted.
  await knex.raw(`CREATE FUNCTION refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'users are read-only today'; END $$`);
  await knex.transaction(async (trx) => {
    // On Citus a trigger on a distributed table runs on its shards; Citus asks for this to allow it.
    if (testingOnCitus()) await trx.raw('SET LOCAL citus.enable_unsafe_triggers TO on');
    await trx.raw(`CREATE TRIGGER refuse_user BEFORE INSERT ON users FOR EACH ROW WHEN (NEW.email LIKE '${REFUSED_EMAIL_PREFIX}%') EXECUTE FUNCTION refuse_user()`);
  });
  // A permanent fault whose detail quotes the whole row, hash included: `Failing row contains (...)`.
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT no_checked_emails CHECK (email NOT LIKE '${CHECKED_EMAIL_PREFIX}%')`);
});
afterAll(async () => {
  await knex('tenant_notes').delete();
  await cleanup.removeAll(knex);
  await database.close();
  await scratch.drop();
});

describe('a rollback that fails part-way', () => {
  it('propagates the database error and undoes its own earlier deletes', async () => {
    const { tenantId } = await provisionTenant(knex, cleanup, { activate: false });
    await knex('tenant_notes').insert({ tenant: tenantId, note: 'keeps the tenant row referenced' });

    const failure = await rollbackTenantInDB(knex, tenantId).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).not.toBeInstanceOf(ProvisioningError);
    // Citus relays the worker's error without its table field.
    expect(failure).toMatchObject({ code: '23503', table: testingOnCitus() ? undefined : 'tenant_notes' });
    expect(await countTenantRows(knex, tenantId)).toEqual(FULL_TENANT_ROWS);

    await knex('tenant_notes').where({ tenant: tenantId }).delete();
    await rollbackTenantInDB(knex, tenantId);
    expect(await countTenantRows(knex, tenantId)).toEqual(NO_ROWS);
  });
});

describe('a database error while the admin user is inserted', () => {
  it('reaches Temporal and the logs without the password or its hash, and writes no user', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    const harness = activityHarness(createActivities({ knex, bcryptCost: TEST_BCRYPT_COST }));
    const password = `never logged ${Date.now()}`;

    const failure = await harness.run('createAdminUser', adminInput(tenantId, { email: `${REFUSED_EMAIL_PREFIX}admin@acme.example`, password })).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    // Not a fault of the input (SQLSTATE P0001): left for Temporal to retry.
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: TRANSIENT_DATABASE_ERROR, nonRetryable: false });
    expect(failure?.message).toContain('users are read-only today');
    for (const text of [failure?.message ?? '', harness.logText()]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain('$2b$');
    }
    expect(harness.logText()).toContain('createAdminUser failed');
    expect(await countTenantRows(knex, tenantId)).toMatchObject({ users: 0, user_roles: 0 });
  });
});

describe('a constraint violation whose detail quotes the user row', () => {
  it('fails for good with SQLSTATE and the server message, without the statement, the row, the email or the hash', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    const harness = activityHarness(createActivities({ knex, bcryptCost: TEST_BCRYPT_COST }));
    const email = `${CHECKED_EMAIL_PREFIX}${Date.now()}@acme.example`;

    const failure = await harness.run('createAdminUser', adminInput(tenantId, { email, password: `never logged ${Date.now()}` })).then(
      () => undefined,
      (error: unknown) => error as ApplicationFailure,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DatabaseError', nonRetryable: true });
    // Citus reports the worker's error, which names the shard: users_102xxx, no_checked_emails_102xxx.
    expect(failure?.message).toMatch(/^new row for relation "users(_\d+)?" violates check constraint "no_checked_emails(_\d+)?" \(SQLSTATE 23514\)$/);
    for (const text of [failure?.message ?? '', JSON.stringify(failure?.details ?? []), harness.logText()]) {
      expect(text).not.toContain('$2b$');
      expect(text).not.toContain(email);
      expect(text).not.toMatch(/insert into|Failing row/i);
    }
    expect(await countTenantRows(knex, tenantId)).toMatchObject({ users: 0, user_roles: 0 });
  });
});

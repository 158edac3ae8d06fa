import { ApplicationFailure } from '@temporalio/common';
import bcrypt from 'bcrypt';
import { DatabaseError } from 'pg';
import { createActivities, type CreateTenantActivityInput } from '../../src/activities';
import { SCHEMA_NOT_READY, toActivityFailure, TRANSIENT_DATABASE_ERROR } from '../../src/activities/failures';
import type { ProvisioningErrorType } from '../../src/contracts/errors';
import { activityHarness, type ActivityHarness } from '../support/activity-environment';
import { adminInput, tenantInput, TEST_BCRYPT_COST, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS } from '../harness/tenant-rows';

const { knex, cleanup } = useAdminConnection();
const activities = createActivities({ knex, bcryptCost: TEST_BCRYPT_COST });

function newTenantRequest(): CreateTenantActivityInput {
  const { name, slug, contactEmail } = tenantInput();
  return { name, slug, contactEmail };
}

/** Runs the four forward activities in one environment, as one workflow execution would. */
async function provisionThroughActivities(harness: ActivityHarness, password?: string) {
  const { tenantId } = await harness.run('createTenant', newTenantRequest());
  cleanup.track(tenantId);
  await harness.run('setupTenantData', tenantId);
  const admin = await harness.run('createAdminUser', adminInput(tenantId, password === undefined ? {} : { password }));
  await harness.run('activateTenant', tenantId);
  const stored = await knex('users').where({ tenant: tenantId, user_id: admin.userId }).first<{ password_hash: string }>('password_hash');
  return { tenantId, admin, passwordHash: stored.password_hash };
}

/** Awaits a failing activity and returns its ApplicationFailure, checking type and retryability. */
async function expectApplicationFailure(attempt: Promise<unknown>, type: ProvisioningErrorType): Promise<ApplicationFailure> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect(error).toMatchObject({ type, nonRetryable: true });
  return error as ApplicationFailure;
}

function expectNoSecretIn(logText: string, secrets: string[]): void {
  expect(logText).not.toContain('$2b$');
  for (const secret of secrets) expect(logText).not.toContain(secret);
}

describe('a full provisioning through the activities', () => {
  it('with a given password: bcrypt accepts the stored hash, and the logs hold neither the password nor a hash', async () => {
    const harness = activityHarness(activities);
    const password = `Tr0ub4dor&3 ${Date.now()}`;
    const { tenantId, passwordHash } = await provisionThroughActivities(harness, password);

    expect(await bcrypt.compare(password, passwordHash)).toBe(true);
    expect(await countTenantRows(knex, tenantId)).toEqual(FULL_TENANT_ROWS);
    const logs = harness.logText();
    for (const step of ['createTenant', 'setupTenantData', 'createAdminUser', 'activateTenant']) expect(logs).toContain(`${step} done`);
    expect(logs).toContain(tenantId);
    expectNoSecretIn(logs, [password, passwordHash]);
  });

  it('with a generated password: the logs hold neither the temporary password nor a hash, also when it is reissued', async () => {
    const harness = activityHarness(activities);
    const { tenantId, admin, passwordHash } = await provisionThroughActivities(harness);
    expect(admin.temporaryPassword).toBeDefined();
    expect(await bcrypt.compare(admin.temporaryPassword!, passwordHash)).toBe(true);

    const reissued = await harness.run('createAdminUser', adminInput(tenantId, { email: admin.email }));
    expect(reissued.userId).toBe(admin.userId);
    expect(harness.logText()).toContain('temporaryPasswordIssued');
    expectNoSecretIn(harness.logText(), [admin.temporaryPassword!, reissued.temporaryPassword!, passwordHash]);
  });

  it('run again in the same workflow execution returns the same tenant', async () => {
    const harness = activityHarness(activities);
    const request = newTenantRequest();
    const first = await harness.run('createTenant', request);
    cleanup.track(first.tenantId);
    expect(await harness.run('createTenant', request)).toEqual({ ...first, created: false });
  });
});

describe('permanent faults become non-retryable ApplicationFailures of the same type', () => {
  it('InvalidInput names the field, and a rejected password stays out of the logs', async () => {
    const harness = activityHarness(activities);
    const badSlug = await expectApplicationFailure(harness.run('createTenant', { ...newTenantRequest(), slug: "acme'; DROP TABLE tenants;--" }), 'InvalidInput');
    expect(badSlug.details).toEqual([{ field: 'slug' }]);

    const tooLong = `${'x'.repeat(61)}-secret-73b!`;
    expect(Buffer.byteLength(tooLong)).toBe(73);
    const badPassword = await expectApplicationFailure(
      harness.run('createAdminUser', adminInput('00000000-0000-4000-8000-000000000000', { password: tooLong })),
      'InvalidInput',
    );
    expect(badPassword.details).toEqual([{ field: 'password' }]);
    expect(harness.logText()).toContain('createAdminUser failed');
    expectNoSecretIn(harness.logText(), [tooLong]);
  });

  it('TenantAlreadyExists for a slug another workflow execution created', async () => {
    const request = newTenantRequest();
    const { tenantId } = await activityHarness(activities).run('createTenant', request);
    cleanup.track(tenantId);
    await expectApplicationFailure(activityHarness(activities).run('createTenant', request), 'TenantAlreadyExists');
  });

  it('EmailAlreadyInUse for an admin email of another tenant, without the given password in the logs', async () => {
    const first = activityHarness(activities);
    const { admin } = await provisionThroughActivities(first);
    const second = activityHarness(activities);
    const { tenantId } = await second.run('createTenant', newTenantRequest());
    cleanup.track(tenantId);
    await second.run('setupTenantData', tenantId);
    const password = `another secret ${Date.now()}`;
    await expectApplicationFailure(second.run('createAdminUser', adminInput(tenantId, { email: admin.email, password })), 'EmailAlreadyInUse');
    expectNoSecretIn(second.logText(), [password]);
  });

  it('TenantNotFound for a step on a tenant that does not exist', async () => {
    await expectApplicationFailure(activityHarness(activities).run('setupTenantData', '00000000-0000-4000-8000-0000000000bb'), 'TenantNotFound');
  });
});

describe('toActivityFailure', () => {
  /** An error as the server raises it: pg's DatabaseError class, whose name the SDK would take as the failure type. */
  const serverError = (code: string, message = `pg error ${code}`) => Object.assign(new DatabaseError(message, 0, 'error'), { code });

  it.each([
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['08006', 'connection failure'],
    ['57P01', 'terminated by pg_terminate_backend or a shutdown'],
    ['57P03', 'the server is starting up'],
    ['53300', 'too many connections'],
    ['P0001', 'raised by a trigger'],
  ])('turns a %s (%s) into a retryable failure whose type the workflow retries', (code) => {
    const failure = toActivityFailure(serverError(code));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: TRANSIENT_DATABASE_ERROR, nonRetryable: false, details: [{ sqlState: code }] });
  });

  it('returns errors without an SQLSTATE (connection reset, pool timeout) unchanged', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 });
    const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' });
    expect(toActivityFailure(reset)).toBe(reset);
    expect(toActivityFailure(timeout)).toBe(timeout);
  });

  it.each([
    ['22P02', 'InvalidInput'],
    ['23503', 'DatabaseError'],
    ['42501', 'DatabaseError'],
  ])('turns a %s into a non-retryable %s', (code, type) => {
    const failure = toActivityFailure(serverError(code));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true });
  });

  it.each([
    ['42P01', 'undefined table'],
    ['42703', 'undefined column'],
    ['42883', 'undefined function'],
  ])('turns a %s (%s: the schema is behind the code, a migration pending) into a retryable SchemaNotReady', (code) => {
    const failure = toActivityFailure(serverError(code));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: SCHEMA_NOT_READY, nonRetryable: false, details: [{ sqlState: code }] });
  });
});

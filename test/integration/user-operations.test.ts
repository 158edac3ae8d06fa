import bcrypt from 'bcrypt';
import { createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { verifyPassword } from '../../src/domain/passwords';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { expectProvisioningError } from '../support/provisioning-error';
import { adminInput, tenantInput, TEST_BCRYPT_COST, uniqueSuffix, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows } from '../harness/tenant-rows';

const { knex, cleanup } = useAdminConnection();

/** A tenant with its seed data, ready for its admin user. */
async function seededTenant(): Promise<string> {
  const { tenantId } = await createTenantInDB(knex, tenantInput());
  cleanup.track(tenantId);
  await setupTenantDataInDB(knex, tenantId);
  return tenantId;
}

interface StoredUser {
  user_id: string;
  password_hash: string;
  must_change_password: boolean;
  updated_at: Date;
}

async function storedUsers(tenantId: string): Promise<StoredUser[]> {
  return knex('users').where({ tenant: tenantId }).select<StoredUser[]>('user_id', 'password_hash', 'must_change_password', 'updated_at');
}

describe('createAdminUserInDB without a password', () => {
  it('issues a temporary password that verifies against the stored hash and flags the user to change it', async () => {
    const tenantId = await seededTenant();
    const result = await createAdminUserInDB(knex, adminInput(tenantId), TEST_BCRYPT_COST);
    expect(result.created).toBe(true);
    expect(result.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const [user] = await storedUsers(tenantId);
    expect(user).toMatchObject({ user_id: result.userId, must_change_password: true });
    expect(await bcrypt.compare(result.temporaryPassword!, user!.password_hash)).toBe(true);
  });

  it('run again returns the same user and reissues the temporary password: the new one verifies, the old one no longer does', async () => {
    const tenantId = await seededTenant();
    const input = adminInput(tenantId);
    const first = await createAdminUserInDB(knex, input, TEST_BCRYPT_COST);
    const rowsAfterFirst = await countTenantRows(knex, tenantId);

    const second = await createAdminUserInDB(knex, input, TEST_BCRYPT_COST);
    expect(second).toEqual({ userId: first.userId, email: first.email, temporaryPassword: expect.any(String) as string, created: false });
    expect(second.temporaryPassword).not.toBe(first.temporaryPassword);

    const [user] = await storedUsers(tenantId);
    expect(user!.must_change_password).toBe(true);
    expect(await bcrypt.compare(second.temporaryPassword!, user!.password_hash)).toBe(true);
    expect(await bcrypt.compare(first.temporaryPassword!, user!.password_hash)).toBe(false);
    expect(await countTenantRows(knex, tenantId)).toEqual(rowsAfterFirst);
  });
});

describe('createAdminUserInDB with a password', () => {
  it('stores a hash bcrypt.compare accepts for it, and no change-password flag', async () => {
    const tenantId = await seededTenant();
    const password = 'correct horse battery staple';
    const result = await createAdminUserInDB(knex, adminInput(tenantId, { password }), TEST_BCRYPT_COST);
    expect(result).toEqual({ userId: result.userId, email: result.email, created: true });
    const [user] = await storedUsers(tenantId);
    expect(user!.must_change_password).toBe(false);
    expect(await bcrypt.compare(password, user!.password_hash)).toBe(true);
    expect(await bcrypt.compare(`${password}!`, user!.password_hash)).toBe(false);
  });

  it('accepts exactly 72 bytes of multi-byte characters and verifies them all', async () => {
    const tenantId = await seededTenant();
    const password = '€'.repeat(24);
    expect(Buffer.byteLength(password)).toBe(72);
    await createAdminUserInDB(knex, adminInput(tenantId, { password }), TEST_BCRYPT_COST);
    const [user] = await storedUsers(tenantId);
    expect(await bcrypt.compare(password, user!.password_hash)).toBe(true);
    // Another 72-byte password that differs only in its last character: all 72 bytes count.
    expect(await bcrypt.compare(`${'€'.repeat(23)}abc`, user!.password_hash)).toBe(false);
  });

  it('stores the NFC form: a password given as "e" + U+0301 verifies when typed with a precomposed "é"', async () => {
    const tenantId = await seededTenant();
    await createAdminUserInDB(knex, adminInput(tenantId, { password: 'cafe\u0301 au lait' }), TEST_BCRYPT_COST);
    const [user] = await storedUsers(tenantId);
    expect(await verifyPassword('caf\u00e9 au lait', user!.password_hash)).toBe(true);
    expect(await bcrypt.compare('caf\u00e9 au lait', user!.password_hash)).toBe(true);
  });

  it('run again (also with the email in other case) returns the same user without rehashing', async () => {
    const tenantId = await seededTenant();
    const input = adminInput(tenantId, { password: 'correct horse battery staple' });
    const first = await createAdminUserInDB(knex, input, TEST_BCRYPT_COST);
    const [before] = await storedUsers(tenantId);

    const second = await createAdminUserInDB(knex, { ...input, email: ` ${input.email.toUpperCase()} ` }, TEST_BCRYPT_COST);
    expect(second).toEqual({ ...first, created: false });
    expect(await storedUsers(tenantId)).toEqual([before]);
    expect(await knex('user_roles').where({ tenant: tenantId }).pluck('user_id')).toEqual([first.userId]);
  });
});

describe('createAdminUserInDB out of order', () => {
  it('refuses a tenant without seed data with TenantNotSetUp and writes no user', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await expectProvisioningError(createAdminUserInDB(knex, adminInput(tenantId), TEST_BCRYPT_COST), 'TenantNotSetUp');
    expect(await storedUsers(tenantId)).toEqual([]);
  });

  it('refuses a tenant that does not exist with TenantNotFound', async () => {
    await expectProvisioningError(
      createAdminUserInDB(knex, adminInput('00000000-0000-4000-8000-000000000000', { email: `ghost-${uniqueSuffix()}@acme.example` }), TEST_BCRYPT_COST),
      'TenantNotFound',
    );
  });
});

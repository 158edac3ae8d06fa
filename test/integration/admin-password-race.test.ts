import { ApplicationFailure } from '@temporalio/common';
import bcrypt from 'bcrypt';
import { toActivityFailure } from '../../src/activities/failures';
import { ConcurrentAttemptError } from '../../src/db/errors';
import { createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { createAdminUserInDB, type CreateAdminUserResult } from '../../src/db/user-operations';
import { adminInput, tenantInput, TEST_BCRYPT_COST, useAdminConnection } from '../support/tenant-fixtures';

const { knex, cleanup } = useAdminConnection();

/** Slower than TEST_BCRYPT_COST by 8x: the attempt that hashes with it commits last. */
const SLOW_COST = TEST_BCRYPT_COST + 3;

async function seededTenant(): Promise<string> {
  const { tenantId } = await createTenantInDB(knex, tenantInput());
  cleanup.track(tenantId);
  await setupTenantDataInDB(knex, tenantId);
  return tenantId;
}

async function storedHash(tenantId: string): Promise<string> {
  const user = await knex('users').where({ tenant: tenantId }).first<{ password_hash: string }>('password_hash');
  return user.password_hash;
}

const outcome = (attempt: Promise<CreateAdminUserResult>) => attempt.then((result) => ({ result }), (error: unknown) => ({ error }));

describe('two attempts of createAdminUser racing (a stale attempt and its retry)', () => {
  it('creating the user: the stale attempt that commits last stores nothing, so the delivered password verifies', async () => {
    const tenantId = await seededTenant();
    const input = adminInput(tenantId);
    // Both read "no user yet"; the retry hashes fast and commits first, the stale attempt commits after it.
    const [stale, retry] = await Promise.all([outcome(createAdminUserInDB(knex, input, SLOW_COST)), outcome(createAdminUserInDB(knex, input, TEST_BCRYPT_COST))]);
    expect('result' in retry && retry.result.temporaryPassword).toBeTruthy();
    const delivered = (retry as { result: CreateAdminUserResult }).result.temporaryPassword!;
    expect(await bcrypt.compare(delivered, await storedHash(tenantId))).toBe(true);
    expect(stale).toEqual({ error: expect.any(ConcurrentAttemptError) });
  });

  it('reissuing an undelivered temporary password: only the attempt whose compare-and-set holds delivers one', async () => {
    const tenantId = await seededTenant();
    const input = adminInput(tenantId);
    const first = await createAdminUserInDB(knex, input, TEST_BCRYPT_COST);
    expect(first.temporaryPassword).toBeDefined();
    const [stale, retry] = await Promise.all([outcome(createAdminUserInDB(knex, input, SLOW_COST)), outcome(createAdminUserInDB(knex, input, TEST_BCRYPT_COST))]);
    const delivered = (retry as { result: CreateAdminUserResult }).result.temporaryPassword!;
    expect(await bcrypt.compare(delivered, await storedHash(tenantId))).toBe(true);
    expect(await bcrypt.compare(first.temporaryPassword!, await storedHash(tenantId))).toBe(false);
    expect(stale).toEqual({ error: expect.any(ConcurrentAttemptError) });
  });

  it('the next attempt after a lost race starts from the current row and delivers a password that verifies', async () => {
    const tenantId = await seededTenant();
    const input = adminInput(tenantId);
    await Promise.all([outcome(createAdminUserInDB(knex, input, SLOW_COST)), outcome(createAdminUserInDB(knex, input, TEST_BCRYPT_COST))]);
    const next = await createAdminUserInDB(knex, input, TEST_BCRYPT_COST);
    expect(await bcrypt.compare(next.temporaryPassword!, await storedHash(tenantId))).toBe(true);
  });

  it('a lost race is retryable for Temporal: the attempt Temporal still waits for runs again', () => {
    const failure = toActivityFailure(new ConcurrentAttemptError('changed meanwhile'));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ConcurrentAttempt', nonRetryable: false });
  });
});

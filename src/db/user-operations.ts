import type { Knex } from 'knex';
import { EMAIL_IN_USE_MESSAGE } from './admin-email';
import { ProvisioningError } from '../contracts/errors';
import type { AdminUserInput } from '../contracts/tenant-creation';
import { validatePassword } from '../contracts/passwords';
import { generateTemporaryPassword, hashPassword } from '../domain/passwords';
import { ConcurrentAttemptError, sqlState } from './errors';
import { lookupTable, usesLookupTables } from './citus';
import { deleteTenantRows, USER_TABLES_CHILDREN_FIRST, type RollbackCall } from './tenant-operations';
import { tenantTable } from './tenant-tables';
import { transaction, type BeforeCommit } from './transaction';
import { ADMIN_ROLE } from '../contracts/tenant-seed';
import { normalizeEmail, normalizePersonName, requireUuid } from '../contracts/validation';

export interface CreateAdminUserInput extends AdminUserInput {
  tenantId: string;
}

export interface CreateAdminUserResult {
  userId: string;
  email: string;
  /** Set when this call generated (or regenerated) the password; the only time it exists in plain text. */
  temporaryPassword?: string;
  created: boolean;
}

interface ExistingUser {
  user_id: string;
  must_change_password: boolean;
  password_hash: string;
}

/**
 * Creates the tenant's first user with the Admin role. Idempotent on (tenant, email): a rerun returns
 * the same user id. The one exception is a user still holding an undelivered temporary password: a
 * rerun (the first attempt's result was lost) issues a fresh temporary password, since the old one
 * exists nowhere in plain text. bcrypt runs before the transaction so no connection waits on it.
 *
 * The password delivered is always the one whose hash is stored: the write is a compare-and-set on the
 * row this call read before hashing. An attempt that finds it changed (a stale attempt committing after
 * its retry, or the reverse) writes nothing and fails with a retryable ConcurrentAttemptError, so only
 * the attempt Temporal still waits for can deliver a password, and only the one it stored.
 */
export async function createAdminUserInDB(
  knex: Knex,
  input: CreateAdminUserInput,
  bcryptCost: number,
  beforeCommit?: BeforeCommit<CreateAdminUserResult>,
): Promise<CreateAdminUserResult> {
  const tenantId = requireUuid('tenantId', input.tenantId);
  const email = normalizeEmail('email', input.email);
  const firstName = normalizePersonName('firstName', input.firstName);
  const lastName = normalizePersonName('lastName', input.lastName);
  const givenPassword = input.password === undefined || input.password === null ? undefined : validatePassword(input.password);

  const observed = await tenantTable(knex, 'users').where({ tenant: tenantId, email }).first<ExistingUser | undefined>('user_id', 'must_change_password', 'password_hash');
  if (observed && (givenPassword !== undefined || !observed.must_change_password)) {
    const result = { userId: observed.user_id, email, created: false };
    return beforeCommit ? transaction(knex, () => Promise.resolve(result), beforeCommit) : result;
  }

  const temporaryPassword = givenPassword === undefined ? generateTemporaryPassword() : undefined;
  const passwordHash = await hashPassword(givenPassword ?? temporaryPassword!, bcryptCost);
  const lookup = await usesLookupTables(knex);

  try {
    return await transaction(
      knex,
      (trx) => writeAdminUser(trx, { tenantId, email, firstName, lastName, passwordHash, temporaryPassword, lookup }, observed?.password_hash),
      beforeCommit,
    );
  } catch (error) {
    if (sqlState(error) === '23503') throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist`);
    throw error;
  }
}

interface AdminUserRow {
  tenantId: string;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  /** Set when the password was generated here (not given by the caller). */
  temporaryPassword: string | undefined;
  /** Citus: internal emails are kept unique across tenants by the reference table internal_user_emails. */
  lookup: boolean;
}

const CHANGED_MEANWHILE = 'the admin user changed while this attempt was hashing (another attempt of the step); retrying from the current row';

/**
 * The admin user's rows, inside the caller's transaction. `observedHash` is the password hash this
 * attempt read before hashing (undefined: no user then); the user row is written only if it still holds.
 */
async function writeAdminUser(trx: Knex.Transaction, row: AdminUserRow, observedHash: string | undefined): Promise<CreateAdminUserResult> {
  const { tenantId, email, temporaryPassword } = row;
  const role = await tenantTable(trx, 'roles').where({ tenant: tenantId, name: ADMIN_ROLE }).first<{ role_id: string } | undefined>('role_id');
  if (!role) {
    // No role also means no tenant at all; tell the two apart so the caller matches the right type.
    if (!(await tenantTable(trx, 'tenants').where({ tenant: tenantId }).first('tenant'))) throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist`);
    throw new ProvisioningError('TenantNotSetUp', `tenant ${tenantId} has no ${ADMIN_ROLE} role; run setupTenantData first`);
  }

  const user = observedHash === undefined ? await insertAdminUser(trx, row) : await reissueTemporaryPassword(trx, row, observedHash);
  await tenantTable(trx, 'user_roles').insert({ tenant: tenantId, user_id: user.userId, role_id: role.role_id }).onConflict().ignore();
  return { userId: user.userId, email, ...(temporaryPassword ? { temporaryPassword } : {}), created: user.created };
}

async function insertAdminUser(trx: Knex.Transaction, row: AdminUserRow): Promise<{ userId: string; created: boolean }> {
  const { tenantId, email, firstName, lastName, passwordHash, temporaryPassword } = row;
  if (row.lookup) await claimInternalEmail(trx, tenantId, email);
  // No conflict target: every unique index arbitrates, so a racing attempt for the same user waits for
  // the winner and lands below instead of failing on the cross-tenant email index.
  const [inserted] = await tenantTable(trx, 'users')
    .insert({ tenant: tenantId, email, first_name: firstName, last_name: lastName, password_hash: passwordHash, must_change_password: temporaryPassword !== undefined })
    .onConflict()
    .ignore()
    .returning<{ user_id: string }[]>('user_id');
  if (inserted) return { userId: inserted.user_id, created: true };
  const existing = await tenantTable(trx, 'users').where({ tenant: tenantId, email }).first<{ user_id: string } | undefined>('user_id');
  if (!existing) throw new ProvisioningError('EmailAlreadyInUse', EMAIL_IN_USE_MESSAGE);
  // Another attempt created the user meanwhile. A given password is the one it hashed too; a temporary
  // one of ours was never stored, so it must not be delivered.
  if (temporaryPassword) throw new ConcurrentAttemptError(CHANGED_MEANWHILE);
  return { userId: existing.user_id, created: false };
}

/**
 * Citus: takes the email in internal_user_emails for this tenant, or finds it already ours (a rerun). A
 * racing claim of another tenant waits on the reference table's unique index and then sees ours.
 */
async function claimInternalEmail(trx: Knex.Transaction, tenantId: string, email: string): Promise<void> {
  const emails = () => trx(lookupTable(trx, 'internal_user_emails'));
  const [claimed] = await emails().insert({ email, tenant: tenantId }).onConflict().ignore().returning<{ email: string }[]>('email');
  if (claimed) return;
  const holder = await emails().where({ email }).first<{ tenant: string } | undefined>('tenant');
  if (holder?.tenant !== tenantId) throw new ProvisioningError('EmailAlreadyInUse', EMAIL_IN_USE_MESSAGE);
}

/** Replaces an undelivered temporary password, only if the hash is still the one this attempt read. */
async function reissueTemporaryPassword(trx: Knex.Transaction, row: AdminUserRow, observedHash: string): Promise<{ userId: string; created: boolean }> {
  const [updated] = await tenantTable(trx, 'users')
    .where({ tenant: row.tenantId, email: row.email, must_change_password: true, password_hash: observedHash })
    .update({ password_hash: row.passwordHash, updated_at: trx.fn.now() })
    .returning<{ user_id: string }[]>('user_id');
  if (!updated) throw new ConcurrentAttemptError(CHANGED_MEANWHILE);
  return { userId: updated.user_id, created: false };
}

/** Compensation for createAdminUser: removes the tenant's users and their role links. */
export function rollbackUserInDB(knex: Knex, tenantId: string, options: RollbackCall = {}): Promise<number> {
  return deleteTenantRows(knex, tenantId, USER_TABLES_CHILDREN_FIRST, options);
}

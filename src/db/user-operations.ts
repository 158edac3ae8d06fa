import type { Knex } from 'knex';
import { ProvisioningError, sqlState } from './errors';
import { generateTemporaryPassword, hashPassword, validatePassword } from './passwords';
import { deleteTenantRows, USER_TABLES_CHILDREN_FIRST, type RollbackCall } from './tenant-operations';
import { transaction, type BeforeCommit } from './transaction';
import { ADMIN_ROLE } from './tenant-seed';
import { normalizeEmail, normalizePersonName, requireUuid } from './validation';

export interface CreateAdminUserInput {
  tenantId: string;
  email: string;
  firstName: string;
  lastName: string;
  /** 8-72 bytes in UTF-8. Omitted: a temporary password is generated and must be changed at first login. */
  password?: string;
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
}


/**
 * Creates the tenant's first user with the Admin role. Idempotent on (tenant, email): a rerun returns
 * the same user id. The one exception is a user still holding an undelivered temporary password: a
 * rerun (the first attempt's result was lost) issues a fresh temporary password, since the old one
 * exists nowhere in plain text. bcrypt runs before the transaction so no connection waits on it.
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

  const existing = await knex('users').where({ tenant: tenantId, email }).first<ExistingUser | undefined>('user_id', 'must_change_password');
  if (existing && (givenPassword !== undefined || !existing.must_change_password)) {
    const result = { userId: existing.user_id, email, created: false };
    return beforeCommit ? transaction(knex, () => Promise.resolve(result), beforeCommit) : result;
  }

  const temporaryPassword = givenPassword === undefined ? generateTemporaryPassword() : undefined;
  const passwordHash = await hashPassword(givenPassword ?? temporaryPassword!, bcryptCost);

  try {
    return await transaction(knex, (trx) => writeAdminUser(trx, { tenantId, email, firstName, lastName, passwordHash, temporaryPassword }), beforeCommit);
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
}

/** The admin user's rows, inside the caller's transaction. */
async function writeAdminUser(trx: Knex.Transaction, { tenantId, email, firstName, lastName, passwordHash, temporaryPassword }: AdminUserRow): Promise<CreateAdminUserResult> {
  const role = await trx('roles').where({ tenant: tenantId, name: ADMIN_ROLE }).first<{ role_id: string } | undefined>('role_id');
  if (!role) {
    // No role also means no tenant at all; tell the two apart so the caller matches the right type.
    if (!(await trx('tenants').where({ tenant: tenantId }).first('tenant'))) throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist`);
    throw new ProvisioningError('TenantNotSetUp', `tenant ${tenantId} has no ${ADMIN_ROLE} role; run setupTenantData first`);
  }

  // No conflict target: every unique index arbitrates, so a racing attempt for the same user waits for
  // the winner and lands here instead of failing on the cross-tenant email index.
  const [inserted] = await trx('users')
    .insert({ tenant: tenantId, email, first_name: firstName, last_name: lastName, password_hash: passwordHash, must_change_password: temporaryPassword !== undefined })
    .onConflict()
    .ignore()
    .returning<{ user_id: string }[]>('user_id');

  let userId = inserted?.user_id;
  let issuedPassword = temporaryPassword;
  if (!userId) {
    if (!(await trx('users').where({ tenant: tenantId, email }).first('user_id'))) {
      throw new ProvisioningError('EmailAlreadyInUse', 'the admin email is already used by a user of another tenant');
    }
    // An earlier attempt created the user; a temporary password it issued was never delivered, so replace it.
    const [reissued] = temporaryPassword
      ? await trx('users')
          .where({ tenant: tenantId, email, must_change_password: true })
          .update({ password_hash: passwordHash, updated_at: trx.fn.now() })
          .returning<{ user_id: string }[]>('user_id')
      : [];
    if (!reissued) issuedPassword = undefined;
    userId = reissued?.user_id ?? (await trx('users').where({ tenant: tenantId, email }).first<{ user_id: string }>('user_id')).user_id;
  }
  await trx('user_roles').insert({ tenant: tenantId, user_id: userId, role_id: role.role_id }).onConflict().ignore();
  return { userId, email, ...(issuedPassword ? { temporaryPassword: issuedPassword } : {}), created: inserted !== undefined };
}

/** Compensation for createAdminUser: removes the tenant's users and their role links. */
export function rollbackUserInDB(knex: Knex, tenantId: string, options: RollbackCall = {}): Promise<number> {
  return deleteTenantRows(knex, tenantId, USER_TABLES_CHILDREN_FIRST, options);
}

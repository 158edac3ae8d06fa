import type { Knex } from 'knex';
import { ProvisioningError } from '../contracts/errors';
import { lookupTable } from './citus';
import { tenantTable } from './tenant-tables';

export const EMAIL_IN_USE_MESSAGE = 'the admin email is already used by a user of another tenant';

/**
 * EmailAlreadyInUse when an internal user of a tenant other than `tenantId` has this (normalized) email,
 * the rule the unique index users_internal_email_unique enforces. createTenant checks it up front, so a
 * request that would fail at createAdminUser fails before anything is created; createAdminUser's insert
 * still enforces it (another request may take the email between the two steps).
 */
export async function assertAdminEmailFree(db: Knex | Knex.Transaction, email: string, tenantId: string, lookup: boolean): Promise<void> {
  // With the Citus lookup table (which holds exactly the internal users' emails) this reads one reference table, not every shard.
  const source = lookup ? db(lookupTable(db, 'internal_user_emails')) : tenantTable(db, 'users').where({ user_type: 'internal' });
  const taken = await source.where({ email }).whereNot({ tenant: tenantId }).first<{ tenant: string } | undefined>('tenant');
  if (taken) throw new ProvisioningError('EmailAlreadyInUse', EMAIL_IN_USE_MESSAGE);
}

import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { closeTestDatabase, testDatabase } from './test-database';
import { BCRYPT_MIN_COST } from '../../src/domain/passwords';
import { rollbackTenantInDB, type CreateTenantInput } from '../../src/db/tenant-operations';
import type { CreateAdminUserInput } from '../../src/db/user-operations';
import { provisionDirectly } from '../harness/provision-directly';

/** The cheapest cost the operations accept: real bcrypt hashes, fast tests. */
export const TEST_BCRYPT_COST = BCRYPT_MIN_COST;

/** 8 hex characters, so every test (and every run of the suite) uses its own slugs and emails. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A valid createTenantInDB input with a fresh slug, contact email and idempotency key. */
export function tenantInput(overrides: Partial<CreateTenantInput> = {}): CreateTenantInput {
  const suffix = uniqueSuffix();
  return {
    name: `Acme ${suffix}`,
    slug: `acme-${suffix}`,
    contactEmail: `billing-${suffix}@acme.example`,
    idempotencyKey: `test-workflow-${suffix}`,
    ...overrides,
  };
}

/** A valid createAdminUserInDB input for tenantId with a fresh email (no password: a temporary one is issued). */
export function adminInput(tenantId: string, overrides: Partial<CreateAdminUserInput> = {}): CreateAdminUserInput {
  return { tenantId, ...adminFields(), ...overrides };
}

function adminFields(overrides: Partial<CreateAdminUserInput> = {}): Omit<CreateAdminUserInput, 'tenantId'> {
  return { email: `admin-${uniqueSuffix()}@acme.example`, firstName: 'Ada', lastName: 'Lovelace', ...overrides };
}

export interface ProvisionedTenant {
  tenantId: string;
  slug: string;
  userId: string;
  email: string;
}

/**
 * Runs every forward step (create, seed, admin user, activate) the way the workflow does, tracking
 * the tenant in `cleanup` as soon as it exists so a failing step still leaves nothing behind.
 */
export async function provisionTenant(
  knex: Knex,
  cleanup: TenantCleanup,
  options: { tenant?: Partial<CreateTenantInput>; admin?: Partial<CreateAdminUserInput>; activate?: boolean } = {},
): Promise<ProvisionedTenant> {
  return provisionDirectly(
    knex,
    { tenant: tenantInput(options.tenant), admin: adminFields(options.admin), skipActivation: options.activate === false, onTenant: (tenantId) => cleanup.track(tenantId) },
    TEST_BCRYPT_COST,
  );
}

/** Collects the tenants a test file creates and removes them all (forced) at the end, so the suite can run again. */
export class TenantCleanup {
  private readonly tenantIds = new Set<string>();

  track(tenantId: string): string {
    this.tenantIds.add(tenantId);
    return tenantId;
  }

  async removeAll(knex: Knex): Promise<void> {
    for (const tenantId of this.tenantIds) await rollbackTenantInDB(knex, tenantId, { force: true });
    this.tenantIds.clear();
  }
}

/**
 * The admin connection for one test file, and a TenantCleanup whose tenants are removed (forced) after
 * the file, before the pool is closed.
 */
export function useAdminConnection(): { knex: Knex; cleanup: TenantCleanup } {
  const knex = testDatabase().admin;
  const cleanup = new TenantCleanup();
  afterAll(async () => {
    await cleanup.removeAll(knex);
    await closeTestDatabase();
  });
  return { knex, cleanup };
}

import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { assertAdminEmailFree } from './admin-email';
import { ProvisioningError } from '../contracts/errors';
import { lookupTable, usesLookupTables } from './citus';
import { findTombstoneBySlug } from './offboarding/tombstones';
import { lockTenantBySlug } from './tenant-lock';
import { tenantTable, type TenantTable } from './tenant-tables';
import { transaction, type BeforeCommit } from './transaction';
import { expandGrants, TENANT_SEED, type TenantSeed } from '../contracts/tenant-seed';
import { uuidV5 } from '../domain/stable-id';
import { workflowIdOfKey } from '../contracts/tenant-creation';
import { normalizeTenantInput, type NormalizedTenant } from '../contracts/tenant-request';
import { normalizeEmail, requireUuid } from '../contracts/validation';

export interface CreateTenantInput {
  name: string;
  /** Derived from the name when omitted. */
  slug?: string;
  contactEmail: string;
  /** Identifies the request (the provisioning workflow's execution): a rerun with the same key gets the same tenant. */
  idempotencyKey: string;
  /**
   * When this request began (the step was first scheduled). A half-made tenant of a dead run is replaced
   * only if it is older: an attempt of the dead run still in flight must never replace the new run's tenant.
   */
  requestedAt?: Date;
  /** The first admin's email: refused here already (EmailAlreadyInUse) when a user of another tenant has it. */
  adminEmail?: string;
  /** Give the tenant a slug a deleted tenant had (a tombstone in deleted_tenants); refused (SlugOfDeletedTenant) otherwise. */
  reuseDeletedSlug?: boolean;
}

export interface CreateTenantResult {
  tenantId: string;
  slug: string;
  /** false when an earlier attempt with the same idempotency key had already created it. */
  created: boolean;
  /** The half-made tenant of a dead run of the same workflow id that this call removed to take the slug. */
  supersededTenantId?: string;
}

export interface SetupTenantDataResult {
  roles: number;
  permissions: number;
  rolePermissions: number;
  settings: number;
}

export interface RollbackOptions {
  /** Roll back even a tenant already marked active. */
  force?: boolean;
}

/** What the rollback operations take: the options plus work to run before their COMMIT. */
export interface RollbackCall extends RollbackOptions {
  beforeCommit?: BeforeCommit<number>;
}

/**
 * Inserts the tenant in status `provisioning`. A rerun with the same idempotency key returns the same
 * tenant; a slug held by another request fails with TenantAlreadyExists. Concurrent calls for one slug
 * serialize on its unique index: ON CONFLICT waits for the other insert to commit, then the read sees it.
 * ON CONFLICT names no target so that every unique index is an arbiter: with only `slug`, two racing
 * inserts of one request could pass the slug check together and the loser would hit any other unique
 * index (the idempotency key's) as a raw unique violation instead of finding the winner's row.
 */
export async function createTenantInDB(knex: Knex, input: CreateTenantInput, beforeCommit?: BeforeCommit<CreateTenantResult>): Promise<CreateTenantResult> {
  const tenant = normalizeTenantInput(input);
  if (typeof input.idempotencyKey !== 'string' || input.idempotencyKey.trim() === '') {
    throw new ProvisioningError('InvalidInput', 'idempotencyKey is required', 'idempotencyKey');
  }
  const adminEmail = input.adminEmail === undefined ? undefined : normalizeEmail('email', input.adminEmail);
  const lookup = await usesLookupTables(knex);
  return transaction(knex, async (trx) => {
    const result = await insertOrFindTenant(trx, tenant, input, lookup);
    if (result.created && input.reuseDeletedSlug !== true) await refuseDeletedSlug(trx, tenant.slug);
    if (adminEmail !== undefined) await assertAdminEmailFree(trx, adminEmail, result.tenantId, lookup);
    return result;
  }, beforeCommit);
}

/**
 * A new tenant does not silently take the slug of a deleted one (support would mix them up, and links or
 * emails naming the slug would reach the new tenant): SlugOfDeletedTenant, naming the tombstone, unless the
 * request says reuseDeletedSlug. Thrown inside the creating transaction, so nothing is created.
 */
async function refuseDeletedSlug(trx: Knex.Transaction, slug: string): Promise<void> {
  const tombstone = await findTombstoneBySlug(trx, slug);
  if (!tombstone) return;
  throw new ProvisioningError(
    'SlugOfDeletedTenant',
    `slug '${slug}' belonged to tenant ${tombstone.tenant}, deleted at ${tombstone.deleted_at.toISOString()} (deleted_tenants); ` +
      'to give it to a new tenant, ask for it: reuseDeletedSlug: true in the request (create-tenant --reuse-deleted-slug)',
    'slug',
  );
}

/**
 * `lookup` (Citus): the slug and key are claimed in the reference table tenant_lookup first, whose unique
 * indexes span all tenants and serialize racing claims the way the plain schema's indexes on `tenants` do;
 * the tenant row (its id chosen here, so the insert routes to one shard) follows only a won claim.
 */
async function insertOrFindTenant(trx: Knex.Transaction, tenant: NormalizedTenant, input: CreateTenantInput, lookup: boolean): Promise<CreateTenantResult> {
  const insert = async () => {
    if (lookup) {
      const tenantId = randomUUID();
      const [claimed] = await trx(lookupTable(trx, 'tenant_lookup'))
        .insert({ tenant: tenantId, slug: tenant.slug, idempotency_key: input.idempotencyKey })
        .onConflict()
        .ignore()
        .returning<{ tenant: string }[]>('tenant');
      if (!claimed) return undefined;
      await tenantTable(trx, 'tenants').insert({ tenant: tenantId, slug: tenant.slug, name: tenant.name, contact_email: tenant.contactEmail, idempotency_key: input.idempotencyKey });
      return tenantId;
    }
    const [row] = await tenantTable(trx, 'tenants')
      .insert({ slug: tenant.slug, name: tenant.name, contact_email: tenant.contactEmail, idempotency_key: input.idempotencyKey })
      .onConflict()
      .ignore()
      .returning<{ tenant: string }[]>('tenant');
    return row?.tenant;
  };
  const inserted = await insert();
  if (inserted) return { tenantId: inserted, slug: tenant.slug, created: true };

  const existing = await lockTenantBySlug<ExistingTenant>(trx, tenant.slug, lookup, ['tenant', 'idempotency_key', 'status', 'created_at']);
  if (existing?.idempotency_key === input.idempotencyKey) return { tenantId: existing.tenant, slug: tenant.slug, created: false };
  if (existing && isLeftByDeadRun(existing, input)) {
    await deleteRowsOfLockedTenant(trx, existing.tenant, TENANT_TABLES_CHILDREN_FIRST, lookup);
    const tenantId = await insert();
    if (tenantId) return { tenantId, slug: tenant.slug, created: true, supersededTenantId: existing.tenant };
  }
  if (existing) throw new ProvisioningError('TenantAlreadyExists', `a tenant with slug '${tenant.slug}' already exists`);
  throw new ProvisioningError('InvalidInput', 'idempotencyKey already created a tenant with another slug', 'idempotencyKey');
}

/**
 * A tenant still `provisioning` whose key names the same workflow id as ours but another request: a
 * run of this workflow id that died without compensating (terminated, or its compensation failed).
 * Only one run of a workflow id runs at a time, so that run is over and its half-made tenant is ours
 * to replace; a tenant that reached `active` never is.
 */
function isLeftByDeadRun(existing: ExistingTenant, { idempotencyKey, requestedAt }: CreateTenantInput): boolean {
  const workflowId = workflowIdOfKey(idempotencyKey);
  return (
    existing.status === 'provisioning' &&
    workflowId !== '' &&
    workflowIdOfKey(existing.idempotency_key) === workflowId &&
    (requestedAt === undefined || existing.created_at < requestedAt)
  );
}

interface ExistingTenant {
  tenant: string;
  idempotency_key: string;
  status: string;
  created_at: Date;
}

function seedRows(tenantId: string, seed: TenantSeed) {
  const roleId = (name: string) => uuidV5(tenantId, `role:${name}`);
  const permissionId = (resource: string, action: string) => uuidV5(tenantId, `permission:${resource}:${action}`);
  return {
    roles: seed.roles.map((r) => ({ tenant: tenantId, role_id: roleId(r.name), name: r.name, description: r.description })),
    permissions: seed.resources.flatMap((resource) =>
      seed.actions.map((action) => ({ tenant: tenantId, permission_id: permissionId(resource, action), resource, action })),
    ),
    rolePermissions: seed.roles.flatMap((r) =>
      expandGrants(seed, r.grants).map((p) => ({ tenant: tenantId, role_id: roleId(r.name), permission_id: permissionId(p.resource, p.action) })),
    ),
    settings: Object.entries(seed.settings).map(([key, value]) => ({ tenant: tenantId, key, value: JSON.stringify(value) })),
  };
}

async function lockTenant(trx: Knex.Transaction, tenantId: string): Promise<{ status: string } | undefined> {
  return tenantTable(trx, 'tenants').where({ tenant: tenantId }).forUpdate().first<{ status: string } | undefined>('status');
}

/**
 * Seeds the tenant's roles, permissions, grants and settings from TENANT_SEED: one multi-row insert
 * per table. Ids are derived from (tenant, name), so a rerun inserts nothing and links the same rows.
 * Returns how many rows each table received in this call.
 */
export async function setupTenantDataInDB(
  knex: Knex,
  tenantId: string,
  seed: TenantSeed = TENANT_SEED,
  beforeCommit?: BeforeCommit<SetupTenantDataResult>,
): Promise<SetupTenantDataResult> {
  const rows = seedRows(requireUuid('tenantId', tenantId), seed);
  return transaction(knex, async (trx) => {
    if (!(await lockTenant(trx, tenantId))) throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist`);
    const insert = async (table: TenantTable, data: object[]) => (await tenantTable(trx, table).insert(data).onConflict().ignore().returning('tenant')).length;
    return {
      roles: await insert('roles', rows.roles),
      permissions: await insert('permissions', rows.permissions),
      rolePermissions: await insert('role_permissions', rows.rolePermissions),
      settings: await insert('tenant_settings', rows.settings),
    };
  }, beforeCommit);
}

/** Marks the tenant active: the last provisioning step. Idempotent. */
export async function activateTenantInDB(knex: Knex, tenantId: string, beforeCommit?: BeforeCommit<void>): Promise<void> {
  requireUuid('tenantId', tenantId);
  await transaction(knex, async (trx) => {
    const tenant = await lockTenant(trx, tenantId);
    if (!tenant) throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist`);
    if (tenant.status !== 'active') {
      await tenantTable(trx, 'tenants').where({ tenant: tenantId }).update({ status: 'active', activated_at: trx.fn.now(), updated_at: trx.fn.now() });
    }
  }, beforeCommit);
}

/** Tables holding a tenant's rows, children before parents, so deletes respect the foreign keys. */
export const TENANT_TABLES_CHILDREN_FIRST: readonly TenantTable[] = ['user_roles', 'users', 'role_permissions', 'permissions', 'roles', 'tenant_settings', 'tenants'];
export const USER_TABLES_CHILDREN_FIRST: readonly TenantTable[] = ['user_roles', 'users'];

/**
 * Deletes rows of one tenant from `tables` (children first) in one transaction, after locking the
 * tenant row. A missing tenant is a no-op; an active or suspended one is refused unless forced. Errors propagate.
 * Returns the number of rows deleted.
 */
export async function deleteTenantRows(knex: Knex, tenantId: string, tables: readonly TenantTable[], options: RollbackCall): Promise<number> {
  requireUuid('tenantId', tenantId);
  const lookup = await usesLookupTables(knex);
  return transaction(knex, async (trx) => {
    const tenant = await lockTenant(trx, tenantId);
    if (!tenant) return 0;
    // Only a tenant still being provisioned is rolled back: an active or suspended one only when forced.
    if (tenant.status !== 'provisioning' && !options.force) {
      throw new ProvisioningError('TenantAlreadyActive', `tenant ${tenantId} is ${tenant.status}; refusing to roll it back without force`);
    }
    return deleteRowsOfLockedTenant(trx, tenantId, tables, lookup);
  }, options.beforeCommit);
}

/**
 * Deletes the tenant's rows from `tables`, children first, inside a transaction that holds the tenant row's
 * lock. With the lookup (Citus), the lookup rows of what was deleted go too (after the rows referencing
 * them); they are not counted.
 */
export async function deleteRowsOfLockedTenant(trx: Knex.Transaction, tenantId: string, tables: readonly TenantTable[], lookup: boolean): Promise<number> {
  let deleted = 0;
  for (const table of tables) deleted += await tenantTable(trx, table).where({ tenant: tenantId }).delete();
  if (lookup && tables.includes('users')) await trx(lookupTable(trx, 'internal_user_emails')).where({ tenant: tenantId }).delete();
  if (lookup && tables.includes('tenants')) await trx(lookupTable(trx, 'tenant_lookup')).where({ tenant: tenantId }).delete();
  return deleted;
}

/** Compensation for createTenant and setupTenantData: removes every row of the tenant. */
export function rollbackTenantInDB(knex: Knex, tenantId: string, options: RollbackCall = {}): Promise<number> {
  return deleteTenantRows(knex, tenantId, TENANT_TABLES_CHILDREN_FIRST, options);
}

/** The tenant a provisioning request created (by its idempotency key), if it still exists. */
export async function findTenantIdByIdempotencyKey(knex: Knex, idempotencyKey: string): Promise<string | undefined> {
  const source = (await usesLookupTables(knex)) ? knex(lookupTable(knex, 'tenant_lookup')) : tenantTable(knex, 'tenants');
  const row = await source.where({ idempotency_key: idempotencyKey }).first<{ tenant: string } | undefined>('tenant');
  return row?.tenant;
}

export interface HalfMadeTenant {
  tenantId: string;
  slug: string;
  createdAt: Date;
}

/** Tenants still `provisioning`, oldest first: in progress, or left by a run that died (the caller asks Temporal which). */
export async function tenantsStillProvisioning(knex: Knex, limit = 1000): Promise<HalfMadeTenant[]> {
  const rows = await tenantTable(knex, 'tenants')
    .where({ status: 'provisioning' })
    .orderBy('created_at')
    .limit(limit)
    .select<Array<{ tenant: string; slug: string; created_at: Date }>>('tenant', 'slug', 'created_at');
  return rows.map((r) => ({ tenantId: r.tenant, slug: r.slug, createdAt: r.created_at }));
}

/** The tenant holding `slug`, with its status, if any. */
export async function findTenantBySlug(knex: Knex, slug: string): Promise<{ tenantId: string; status: string } | undefined> {
  let where: { slug: string } | { tenant: string } = { slug };
  if (await usesLookupTables(knex)) {
    const held = await knex(lookupTable(knex, 'tenant_lookup')).where({ slug }).first<{ tenant: string } | undefined>('tenant');
    if (!held) return undefined;
    where = { tenant: held.tenant };
  }
  const row = await tenantTable(knex, 'tenants').where(where).first<{ tenant: string; status: string } | undefined>('tenant', 'status');
  return row && { tenantId: row.tenant, status: row.status };
}

import { uuidV5 } from '../../src/domain/stable-id';
import { activateTenantInDB, createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { expandGrants, TENANT_SEED } from '../../src/contracts/tenant-seed';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { expectProvisioningError } from '../support/provisioning-error';
import { adminInput, provisionTenant, tenantInput, TEST_BCRYPT_COST, uniqueSuffix, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS } from '../harness/tenant-rows';

const { knex, cleanup } = useAdminConnection();

interface TenantRow {
  slug: string;
  name: string;
  contact_email: string;
  status: string;
  idempotency_key: string;
  activated_at: Date | null;
}

function tenantRow(tenantId: string): Promise<TenantRow> {
  return knex('tenants').where({ tenant: tenantId }).first<TenantRow>('slug', 'name', 'contact_email', 'status', 'idempotency_key', 'activated_at');
}

const roleId = (tenantId: string, name: string) => uuidV5(tenantId, `role:${name}`);

describe('the happy path: createTenant -> setupTenantData -> createAdminUser -> activate', () => {
  /** A tenant of its own for each test, taken through the steps before the one the test checks. */
  async function tenantThrough(steps: 'created' | 'seeded' | 'with admin'): Promise<string> {
    const tenantId = cleanup.track((await createTenantInDB(knex, tenantInput())).tenantId);
    if (steps !== 'created') await setupTenantDataInDB(knex, tenantId);
    if (steps === 'with admin') await createAdminUserInDB(knex, adminInput(tenantId), TEST_BCRYPT_COST);
    return tenantId;
  }

  it('createTenantInDB normalizes the input and inserts one tenant in status provisioning', async () => {
    const suffix = uniqueSuffix();
    const input = { name: `  Acme Widgets ${suffix}  `, contactEmail: ` Billing-${suffix}@ACME.Example `, idempotencyKey: `wf-${suffix}` };
    const result = await createTenantInDB(knex, input);
    const tenantId = cleanup.track(result.tenantId);
    expect(result).toEqual({ tenantId, slug: `acme-widgets-${suffix}`, created: true });
    expect(await tenantRow(tenantId)).toEqual({
      slug: `acme-widgets-${suffix}`,
      name: `Acme Widgets ${suffix}`,
      contact_email: `billing-${suffix}@acme.example`,
      status: 'provisioning',
      idempotency_key: `wf-${suffix}`,
      activated_at: null,
    });
    expect(await countTenantRows(knex, tenantId)).toEqual({ ...NO_ROWS, tenants: 1 });
  });

  it('setupTenantDataInDB writes the roles of TENANT_SEED with ids derived from (tenant, name)', async () => {
    const tenantId = await tenantThrough('created');
    const result = await setupTenantDataInDB(knex, tenantId);
    expect(result).toEqual({
      roles: FULL_TENANT_ROWS.roles,
      permissions: FULL_TENANT_ROWS.permissions,
      rolePermissions: FULL_TENANT_ROWS.role_permissions,
      settings: FULL_TENANT_ROWS.tenant_settings,
    });
    const roles = await knex('roles').where({ tenant: tenantId }).orderBy('name').select('role_id', 'name', 'description');
    const expected = TENANT_SEED.roles.map((r) => ({ role_id: roleId(tenantId, r.name), name: r.name, description: r.description }));
    expect(roles).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('writes one permission per resource x action', async () => {
    const tenantId = await tenantThrough('seeded');
    const permissions = await knex('permissions').where({ tenant: tenantId }).select<{ resource: string; action: string }[]>('resource', 'action');
    const expected = TENANT_SEED.resources.flatMap((resource) => TENANT_SEED.actions.map((action) => `${resource}:${action}`));
    expect(permissions.map((p) => `${p.resource}:${p.action}`).sort()).toEqual([...expected].sort());
  });

  it('grants each role exactly the permissions expandGrants gives it', async () => {
    const tenantId = await tenantThrough('seeded');
    const grants = await knex('role_permissions as rp')
      .join('roles as r', function joinRole() {
        this.on('r.tenant', 'rp.tenant').andOn('r.role_id', 'rp.role_id');
      })
      .join('permissions as p', function joinPermission() {
        this.on('p.tenant', 'rp.tenant').andOn('p.permission_id', 'rp.permission_id');
      })
      .where('rp.tenant', tenantId)
      .select<{ role: string; resource: string; action: string }[]>('r.name as role', 'p.resource', 'p.action');
    const expected = TENANT_SEED.roles.flatMap((r) => expandGrants(TENANT_SEED, r.grants).map((p) => `${r.name}:${p.resource}:${p.action}`));
    expect(grants.map((g) => `${g.role}:${g.resource}:${g.action}`).sort()).toEqual(expected.sort());
    expect(grants.filter((g) => g.role === 'Admin')).toHaveLength(TENANT_SEED.resources.length * TENANT_SEED.actions.length);
  });

  it('writes every default setting as JSON', async () => {
    const tenantId = await tenantThrough('seeded');
    const settings = await knex('tenant_settings').where({ tenant: tenantId }).select<{ key: string; value: unknown }[]>('key', 'value');
    expect(Object.fromEntries(settings.map((s) => [s.key, s.value]))).toEqual(TENANT_SEED.settings);
  });

  it('createAdminUserInDB stores the lower-cased email, a bcrypt hash, must_change_password and the Admin role', async () => {
    const tenantId = await tenantThrough('seeded');
    const suffix = uniqueSuffix();
    const result = await createAdminUserInDB(knex, adminInput(tenantId, { email: `Ada.Admin-${suffix}@ACME.example`, firstName: ' Ada ', lastName: 'Lovelace' }), TEST_BCRYPT_COST);
    const { userId } = result;
    expect(result).toEqual({ userId, email: `ada.admin-${suffix}@acme.example`, temporaryPassword: expect.any(String) as string, created: true });
    const users = await knex('users')
      .where({ tenant: tenantId })
      .select('user_id', 'email', 'first_name', 'last_name', 'must_change_password', 'user_type', 'password_hash');
    expect(users).toEqual([
      {
        user_id: userId,
        email: `ada.admin-${suffix}@acme.example`,
        first_name: 'Ada',
        last_name: 'Lovelace',
        must_change_password: true,
        user_type: 'internal',
        password_hash: expect.stringMatching(/^\$2b\$10\$/) as string,
      },
    ]);
    expect(await knex('user_roles').where({ tenant: tenantId }).select('user_id', 'role_id')).toEqual([{ user_id: userId, role_id: roleId(tenantId, 'Admin') }]);
  });

  it('activateTenantInDB marks the tenant active, and every table holds exactly one tenant’s rows', async () => {
    const tenantId = await tenantThrough('with admin');
    await activateTenantInDB(knex, tenantId);
    const row = await tenantRow(tenantId);
    expect(row.status).toBe('active');
    expect(row.activated_at).toBeInstanceOf(Date);
    expect(await countTenantRows(knex, tenantId)).toEqual(FULL_TENANT_ROWS);
  });
});

describe('each operation run twice', () => {
  it('createTenantInDB with the same idempotency key returns the same tenant and inserts nothing', async () => {
    const input = tenantInput();
    const first = await createTenantInDB(knex, input);
    cleanup.track(first.tenantId);
    const second = await createTenantInDB(knex, { ...input, slug: input.slug!.toUpperCase(), name: ` ${input.name} ` });
    expect(second).toEqual({ ...first, created: false });
    expect(await knex('tenants').where({ slug: input.slug }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('setupTenantDataInDB inserts nothing the second time and keeps the same ids', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    const roleIdsBefore = await knex('roles').where({ tenant: tenantId }).orderBy('role_id').pluck('role_id');
    const countsBefore = await countTenantRows(knex, tenantId);
    expect(await setupTenantDataInDB(knex, tenantId)).toEqual({ roles: 0, permissions: 0, rolePermissions: 0, settings: 0 });
    expect(await knex('roles').where({ tenant: tenantId }).orderBy('role_id').pluck('role_id')).toEqual(roleIdsBefore);
    expect(await countTenantRows(knex, tenantId)).toEqual(countsBefore);
  });

  it('activateTenantInDB keeps the first activation time', async () => {
    const { tenantId } = await provisionTenant(knex, cleanup);
    const first = await tenantRow(tenantId);
    await activateTenantInDB(knex, tenantId);
    expect(await tenantRow(tenantId)).toEqual(first);
  });
});

describe('every step run again after the whole provisioning committed (the crash-after-commit case)', () => {
  it('returns the same ids, adds no rows and leaves the tenant active', async () => {
    const input = tenantInput();
    const admin = { email: `admin-${uniqueSuffix()}@acme.example`, password: 'correct horse battery staple' };
    const provisioned = await provisionTenant(knex, cleanup, { tenant: input, admin });
    const rowsBefore = await countTenantRows(knex, provisioned.tenantId);
    const tenantBefore = await tenantRow(provisioned.tenantId);
    const userBefore = await knex('users').where({ user_id: provisioned.userId }).select('password_hash', 'updated_at');

    expect(await createTenantInDB(knex, input)).toEqual({ tenantId: provisioned.tenantId, slug: provisioned.slug, created: false });
    expect(await setupTenantDataInDB(knex, provisioned.tenantId)).toEqual({ roles: 0, permissions: 0, rolePermissions: 0, settings: 0 });
    expect(await createAdminUserInDB(knex, adminInput(provisioned.tenantId, admin), TEST_BCRYPT_COST)).toEqual({
      userId: provisioned.userId,
      email: provisioned.email,
      created: false,
    });
    await activateTenantInDB(knex, provisioned.tenantId);

    expect(await countTenantRows(knex, provisioned.tenantId)).toEqual(rowsBefore);
    expect(rowsBefore).toEqual(FULL_TENANT_ROWS);
    expect(await tenantRow(provisioned.tenantId)).toEqual(tenantBefore);
    expect(await knex('users').where({ user_id: provisioned.userId }).select('password_hash', 'updated_at')).toEqual(userBefore);
  });
});

describe('ten concurrent createTenantInDB calls for one slug', () => {
  const CALLS = 10;
  // A race between the inserts shows up only now and then; many rounds make a regression show reliably.
  const ROUNDS = 50;

  it(`with the same idempotency key all get the same tenant and one row exists (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const input = tenantInput();
      const results = await Promise.all(Array.from({ length: CALLS }, () => createTenantInDB(knex, input)));
      const tenantIds = new Set(results.map((r) => cleanup.track(r.tenantId)));
      expect(tenantIds.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await knex('tenants').where({ slug: input.slug }).pluck('tenant')).toEqual([...tenantIds]);
    }
  });

  it(`with ten different idempotency keys one wins and nine get TenantAlreadyExists (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const winner = tenantInput();
      const inputs = Array.from({ length: CALLS }, (_, i) => ({ ...winner, idempotencyKey: `${winner.idempotencyKey}-${i}` }));
      const outcomes = await Promise.allSettled(inputs.map((input) => createTenantInDB(knex, input)));
      const created = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      expect(created).toHaveLength(1);
      const tenantId = cleanup.track(created[0]!.tenantId);
      for (const outcome of outcomes) if (outcome.status === 'rejected') await expectProvisioningError(Promise.reject(outcome.reason as Error), 'TenantAlreadyExists');

      const winningKey = inputs[outcomes.findIndex((o) => o.status === 'fulfilled')]!.idempotencyKey;
      expect(await knex('tenants').where({ slug: winner.slug }).select('tenant', 'idempotency_key')).toEqual([{ tenant: tenantId, idempotency_key: winningKey }]);
    }
  });
});

describe('steps that need an earlier one', () => {
  it('setupTenantDataInDB and activateTenantInDB refuse an unknown tenant with TenantNotFound', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expectProvisioningError(setupTenantDataInDB(knex, unknown), 'TenantNotFound');
    await expectProvisioningError(activateTenantInDB(knex, unknown), 'TenantNotFound');
  });
});

describe('createTenantInDB with the admin email (checked up front, read-only)', () => {
  it('refuses an admin email a user of another tenant has, creating nothing', async () => {
    const other = await provisionTenant(knex, cleanup);
    const input = tenantInput({ adminEmail: other.email.toUpperCase() });
    await expectProvisioningError(createTenantInDB(knex, input), 'EmailAlreadyInUse');
    expect(await knex('tenants').where({ slug: input.slug }).first()).toBeUndefined();
  });

  it('accepts a free admin email, and the retry of a request whose admin exists already (its own tenant)', async () => {
    const input = tenantInput({ adminEmail: `admin-${uniqueSuffix()}@acme.example` });
    const { tenantId } = await createTenantInDB(knex, input);
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    await createAdminUserInDB(knex, adminInput(tenantId, { email: input.adminEmail }), TEST_BCRYPT_COST);
    expect(await createTenantInDB(knex, input)).toMatchObject({ tenantId, created: false });
  });
});

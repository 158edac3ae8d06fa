import type { Knex } from 'knex';
import { destroyAdminConnection } from '../../src/db/admin';
import type { ProvisioningErrorType } from '../../src/db/errors';
import { activateTenantInDB, createTenantInDB, rollbackTenantInDB, setupTenantDataInDB, type CreateTenantInput } from '../../src/db/tenant-operations';
import { createAdminUserInDB, rollbackUserInDB, type CreateAdminUserInput } from '../../src/db/user-operations';
import { emailOfLength } from '../support/long-inputs';
import { expectProvisioningError } from '../support/provisioning-error';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import type { ScratchDatabase } from '../support/scratch-database';
import { adminInput, provisionTenant, TenantCleanup, tenantInput, TEST_BCRYPT_COST } from '../support/tenant-fixtures';
import { countAllRows } from '../support/tenant-rows';

/**
 * Every bad input must fail with its typed ProvisioningError and write nothing. The file has a
 * database of its own, so "nothing" is exact: no table's row count may change, whatever other test
 * files running in parallel do.
 */
let scratch: ScratchDatabase;
let knex: Knex;
const cleanup = new TenantCleanup();

interface Fixture {
  /** Created and seeded, still provisioning: the target of the createAdminUser cases. */
  seededTenantId: string;
  /** Another, fully provisioned tenant. */
  otherTenant: { slug: string; idempotencyKey: string; adminEmail: string };
}
let fixture: Fixture;

beforeAll(async () => {
  ({ scratch, knex } = await createMigratedScratchDatabase('tw_bad_inputs'));
  const otherInput = tenantInput();
  const other = await provisionTenant(knex, cleanup, { tenant: otherInput });
  const { tenantId } = await createTenantInDB(knex, tenantInput());
  await setupTenantDataInDB(knex, cleanup.track(tenantId));
  fixture = { seededTenantId: tenantId, otherTenant: { slug: other.slug, idempotencyKey: otherInput.idempotencyKey, adminEmail: other.email } };
});
afterAll(async () => {
  await cleanup.removeAll(knex);
  await destroyAdminConnection();
  await scratch.drop();
});

interface BadInput {
  input: string;
  attempt: (f: Fixture) => Promise<unknown>;
  type: ProvisioningErrorType;
  field?: string;
}

const createTenant = (overrides: Partial<CreateTenantInput>) => () => createTenantInDB(knex, tenantInput(overrides));
const createAdmin = (overrides: Partial<CreateAdminUserInput> | ((f: Fixture) => Partial<CreateAdminUserInput>)) => (f: Fixture) =>
  createAdminUserInDB(knex, adminInput(f.seededTenantId, typeof overrides === 'function' ? overrides(f) : overrides), TEST_BCRYPT_COST);
const invalid = (field: string) => ({ type: 'InvalidInput' as const, field });

const CYRILLIC_A = '\u0430';
const NUL = '\u0000';
const ZERO_WIDTH_SPACE = '\u200b';
const RIGHT_TO_LEFT_OVERRIDE = '\u202e';

const BAD_INPUTS: BadInput[] = [
  // tenant name
  { input: 'empty tenant name', attempt: createTenant({ name: '' }), ...invalid('name') },
  { input: 'whitespace-only tenant name', attempt: createTenant({ name: ' \t\n\u00a0 ' }), ...invalid('name') },
  { input: 'tenant name of 101 characters', attempt: createTenant({ name: 'a'.repeat(101) }), ...invalid('name') },
  { input: 'tenant name with a NUL byte', attempt: createTenant({ name: `Acme${NUL}Corp` }), ...invalid('name') },
  { input: 'tenant name with a zero-width space', attempt: createTenant({ name: `Ac${ZERO_WIDTH_SPACE}me` }), ...invalid('name') },
  { input: 'tenant name with a right-to-left override', attempt: createTenant({ name: `Acme ${RIGHT_TO_LEFT_OVERRIDE}exe.gnp` }), ...invalid('name') },
  { input: 'tenant name that is not a string', attempt: createTenant({ name: 42 as unknown as string }), ...invalid('name') },
  { input: 'no slug, and a name without Latin letters or digits', attempt: createTenant({ name: '日本語', slug: undefined }), ...invalid('slug') },
  // slug
  { input: 'empty slug', attempt: createTenant({ slug: '' }), ...invalid('slug') },
  { input: 'whitespace-only slug', attempt: createTenant({ slug: '    ' }), ...invalid('slug') },
  { input: 'slug of 2 characters', attempt: createTenant({ slug: 'ab' }), ...invalid('slug') },
  { input: 'slug of 64 characters', attempt: createTenant({ slug: 'a'.repeat(64) }), ...invalid('slug') },
  { input: 'slug with a Cyrillic look-alike a', attempt: createTenant({ slug: `${CYRILLIC_A}cme-corp` }), ...invalid('slug') },
  { input: 'slug with SQL metacharacters', attempt: createTenant({ slug: "acme'; DROP TABLE tenants;--" }), ...invalid('slug') },
  { input: 'slug with a shell command substitution', attempt: createTenant({ slug: '$(rm -rf /)' }), ...invalid('slug') },
  { input: 'slug with backticks', attempt: createTenant({ slug: '`reboot`' }), ...invalid('slug') },
  { input: 'slug with a zero-width space', attempt: createTenant({ slug: `acme${ZERO_WIDTH_SPACE}corp` }), ...invalid('slug') },
  { input: 'slug with a leading hyphen', attempt: createTenant({ slug: '-acme' }), ...invalid('slug') },
  { input: 'slug with an underscore', attempt: createTenant({ slug: 'acme_corp' }), ...invalid('slug') },
  { input: 'slug held by another tenant', attempt: (f) => createTenantInDB(knex, tenantInput({ slug: f.otherTenant.slug })), type: 'TenantAlreadyExists' },
  // contact email
  { input: 'empty contact email', attempt: createTenant({ contactEmail: '' }), ...invalid('contactEmail') },
  { input: 'contact email without @', attempt: createTenant({ contactEmail: 'billing.acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with two @', attempt: createTenant({ contactEmail: 'billing@acme@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a leading dot', attempt: createTenant({ contactEmail: '.billing@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a double dot', attempt: createTenant({ contactEmail: 'bill..ing@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email without a TLD', attempt: createTenant({ contactEmail: 'billing@localhost' }), ...invalid('contactEmail') },
  { input: 'contact email with a Cyrillic look-alike a', attempt: createTenant({ contactEmail: `billing@${CYRILLIC_A}cme.example` }), ...invalid('contactEmail') },
  { input: 'contact email with a 65-character local part', attempt: createTenant({ contactEmail: `${'a'.repeat(65)}@acme.example` }), ...invalid('contactEmail') },
  { input: 'contact email of 255 characters', attempt: createTenant({ contactEmail: emailOfLength(255) }), ...invalid('contactEmail') },
  { input: 'contact email with a shell command substitution', attempt: createTenant({ contactEmail: '$(rm -rf /)@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with backticks in the domain', attempt: createTenant({ contactEmail: 'billing@`reboot`.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a NUL byte', attempt: createTenant({ contactEmail: `billing${NUL}@acme.example` }), ...invalid('contactEmail') },
  { input: 'empty idempotency key', attempt: createTenant({ idempotencyKey: ' ' }), ...invalid('idempotencyKey') },
  {
    input: 'idempotency key that already created a tenant with another slug',
    attempt: (f) => createTenantInDB(knex, tenantInput({ idempotencyKey: f.otherTenant.idempotencyKey })),
    ...invalid('idempotencyKey'),
  },
  // admin user
  { input: 'admin email with a Cyrillic look-alike a', attempt: createAdmin({ email: `${CYRILLIC_A}dmin@acme.example` }), ...invalid('email') },
  { input: 'admin email with a zero-width space', attempt: createAdmin({ email: `admin${ZERO_WIDTH_SPACE}@acme.example` }), ...invalid('email') },
  { input: 'admin email without a TLD', attempt: createAdmin({ email: 'admin@acme' }), ...invalid('email') },
  { input: 'admin email used by an internal user of another tenant', attempt: createAdmin((f) => ({ email: f.otherTenant.adminEmail })), type: 'EmailAlreadyInUse' },
  {
    input: 'admin email used in another tenant, in upper case',
    attempt: createAdmin((f) => ({ email: f.otherTenant.adminEmail.toUpperCase(), password: 'correct horse battery' })),
    type: 'EmailAlreadyInUse',
  },
  { input: 'empty first name', attempt: createAdmin({ firstName: '' }), ...invalid('firstName') },
  { input: 'whitespace-only last name', attempt: createAdmin({ lastName: '   ' }), ...invalid('lastName') },
  { input: 'first name of 101 characters', attempt: createAdmin({ firstName: 'A'.repeat(101) }), ...invalid('firstName') },
  { input: 'first name with a NUL byte', attempt: createAdmin({ firstName: `Ada${NUL}` }), ...invalid('firstName') },
  { input: 'first name with a shell command substitution', attempt: createAdmin({ firstName: '$(rm -rf /)' }), ...invalid('firstName') },
  { input: 'last name with backticks', attempt: createAdmin({ lastName: '`reboot`' }), ...invalid('lastName') },
  { input: 'last name with SQL metacharacters', attempt: createAdmin({ lastName: "Robert'); DROP TABLE users;--" }), ...invalid('lastName') },
  { input: 'last name with a right-to-left override', attempt: createAdmin({ lastName: `Love${RIGHT_TO_LEFT_OVERRIDE}lace` }), ...invalid('lastName') },
  { input: 'password of 73 bytes', attempt: createAdmin({ password: 'p'.repeat(73) }), ...invalid('password') },
  { input: "password of 25 x '€' (75 bytes, 25 characters)", attempt: createAdmin({ password: '€'.repeat(25) }), ...invalid('password') },
  { input: 'password of 7 bytes', attempt: createAdmin({ password: 'p'.repeat(7) }), ...invalid('password') },
  { input: 'password with a NUL byte', attempt: createAdmin({ password: `correct${NUL}horse battery` }), ...invalid('password') },
  { input: 'admin tenantId that is not a UUID', attempt: createAdmin({ tenantId: 'acme' }), ...invalid('tenantId') },
  { input: 'admin tenantId with SQL metacharacters', attempt: createAdmin({ tenantId: "' OR 1=1 --" }), ...invalid('tenantId') },
  // the other operations
  { input: 'setupTenantData for a tenantId that is not a UUID', attempt: () => setupTenantDataInDB(knex, 'not-a-uuid'), ...invalid('tenantId') },
  { input: 'activateTenant for a tenantId that is not a UUID', attempt: () => activateTenantInDB(knex, '1; DELETE FROM tenants'), ...invalid('tenantId') },
  { input: 'rollbackUser for a tenantId that is not a UUID', attempt: () => rollbackUserInDB(knex, 'acme', { force: true }), ...invalid('tenantId') },
  { input: 'rollbackTenant for a tenantId that is not a UUID', attempt: () => rollbackTenantInDB(knex, '*', { force: true }), ...invalid('tenantId') },
];

describe(`${BAD_INPUTS.length} bad inputs`, () => {
  it('are at least 30', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  const cases = BAD_INPUTS.map((c) => ({ ...c, expected: c.field ? `${c.type} (${c.field})` : c.type }));
  it.each(cases)('$input -> $expected, and no row written', async ({ attempt, type, field }) => {
    const before = await countAllRows(knex);
    await expectProvisioningError(attempt(fixture), type, field);
    expect(await countAllRows(knex)).toEqual(before);
  });
});

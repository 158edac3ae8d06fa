import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { createActivities } from '../../src/activities';
import { toWorkflowInput, type CreateTenantRequest } from '../../src/client';
import type { ProvisioningErrorType } from '../../src/contracts/errors';
import { activateTenantInDB, createTenantInDB, rollbackTenantInDB, setupTenantDataInDB, type CreateTenantInput } from '../../src/db/tenant-operations';
import { createAdminUserInDB, rollbackUserInDB, type CreateAdminUserInput } from '../../src/db/user-operations';
import { activityHarness } from '../support/activity-environment';
import { INVISIBLE_IN_NAMES } from '../support/invisible-characters';
import { emailOfLength } from '../support/long-inputs';
import { expectProvisioningError } from '../support/provisioning-error';
import type { Database } from '../../src/db/database';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import type { ScratchDatabase } from '../harness/scratch-database';
import { adminInput, provisionTenant, TenantCleanup, tenantInput, TEST_BCRYPT_COST } from '../support/tenant-fixtures';
import { countAllRows } from '../harness/tenant-rows';

/**
 * Every bad input must fail with its typed ProvisioningError and write nothing. The file has a
 * database of its own, so "nothing" is exact: no table's row count may change, whatever other test
 * files running in parallel do.
 */
let scratch: ScratchDatabase;
let knex: Knex;
let database: Database;
const cleanup = new TenantCleanup();

interface Fixture {
  /** Created and seeded, still provisioning: the target of the createAdminUser cases. */
  seededTenantId: string;
  /** Another, fully provisioned tenant. */
  otherTenant: { slug: string; idempotencyKey: string; adminEmail: string };
}
let fixture: Fixture;

beforeAll(async () => {
  ({ scratch, knex, database } = await createMigratedScratchDatabase('tw_bad_inputs'));
  const otherInput = tenantInput();
  const other = await provisionTenant(knex, cleanup, { tenant: otherInput });
  const { tenantId } = await createTenantInDB(knex, tenantInput());
  await setupTenantDataInDB(knex, cleanup.track(tenantId));
  fixture = { seededTenantId: tenantId, otherTenant: { slug: other.slug, idempotencyKey: otherInput.idempotencyKey, adminEmail: other.email } };
});
afterAll(async () => {
  await cleanup.removeAll(knex);
  await database.close();
  await scratch.drop();
});

interface BadInput {
  input: string;
  attempt: (f: Fixture) => Promise<unknown>;
  /** The same input through the worker's activity, when the activity takes it. */
  activity?: (f: Fixture) => Promise<unknown>;
  /** The same input as a client's CreateTenantRequest, when a client can send it. */
  request?: CreateTenantRequest;
  type: ProvisioningErrorType;
  field?: string;
}

/** A valid client request; `toWorkflowInput` accepts it as it is. */
function validRequest(): CreateTenantRequest {
  const { name, slug, contactEmail } = tenantInput();
  const { email, firstName, lastName } = adminInput('unused');
  return { tenantName: name, slug, contactEmail, admin: { email, firstName, lastName, password: 'correct horse battery' } };
}

function tenantRequest(overrides: Partial<CreateTenantInput>): CreateTenantRequest | undefined {
  if ('idempotencyKey' in overrides) return undefined;
  const request = validRequest();
  const { name, ...rest } = overrides;
  return { ...request, ...('name' in overrides ? { tenantName: name as string } : {}), ...rest };
}

function adminRequest(overrides: Partial<CreateAdminUserInput>): CreateTenantRequest | undefined {
  if ('tenantId' in overrides) return undefined;
  const request = validRequest();
  return { ...request, admin: { ...request.admin, ...overrides } };
}

/** The worker's activities, each run in a mock activity context of its own. */
const activity = () => activityHarness(createActivities({ knex, bcryptCost: TEST_BCRYPT_COST }));

const createTenant = (overrides: Partial<CreateTenantInput>) => ({
  attempt: () => createTenantInDB(knex, tenantInput(overrides)),
  request: tenantRequest(overrides),
  activity:
    'idempotencyKey' in overrides
      ? undefined
      : () => {
          const { name, slug, contactEmail } = tenantInput(overrides);
          return activity().run('createTenant', { name, slug, contactEmail });
        },
});
const createAdmin = (overrides: Partial<CreateAdminUserInput> | ((f: Fixture) => Partial<CreateAdminUserInput>)) => {
  const input = (f: Fixture) => adminInput(f.seededTenantId, typeof overrides === 'function' ? overrides(f) : overrides);
  return {
    attempt: (f: Fixture) => createAdminUserInDB(knex, input(f), TEST_BCRYPT_COST),
    request: typeof overrides === 'function' ? undefined : adminRequest(overrides),
    activity: (f: Fixture) => activity().run('createAdminUser', input(f)),
  };
};
const invalid = (field: string) => ({ type: 'InvalidInput' as const, field });

const CYRILLIC_A = '\u0430';
const NUL = '\u0000';
const ZERO_WIDTH_SPACE = '\u200b';
const RIGHT_TO_LEFT_OVERRIDE = '\u202e';

const BAD_INPUTS: BadInput[] = [
  // tenant name
  { input: 'empty tenant name', ...createTenant({ name: '' }), ...invalid('name') },
  { input: 'whitespace-only tenant name', ...createTenant({ name: ' \t\n\u00a0 ' }), ...invalid('name') },
  { input: 'tenant name of 101 characters', ...createTenant({ name: 'a'.repeat(101) }), ...invalid('name') },
  { input: 'tenant name with a NUL byte', ...createTenant({ name: `Acme${NUL}Corp` }), ...invalid('name') },
  { input: 'tenant name with a zero-width space', ...createTenant({ name: `Ac${ZERO_WIDTH_SPACE}me` }), ...invalid('name') },
  { input: 'tenant name with a right-to-left override', ...createTenant({ name: `Acme ${RIGHT_TO_LEFT_OVERRIDE}exe.gnp` }), ...invalid('name') },
  { input: 'tenant name that is not a string', ...createTenant({ name: 42 as unknown as string }), ...invalid('name') },
  { input: 'no slug, and a name without Latin letters or digits', ...createTenant({ name: '日本語', slug: undefined }), ...invalid('slug') },
  // slug
  { input: 'empty slug', ...createTenant({ slug: '' }), ...invalid('slug') },
  { input: 'whitespace-only slug', ...createTenant({ slug: '    ' }), ...invalid('slug') },
  { input: 'slug of 2 characters', ...createTenant({ slug: 'ab' }), ...invalid('slug') },
  { input: 'slug of 64 characters', ...createTenant({ slug: 'a'.repeat(64) }), ...invalid('slug') },
  { input: 'slug with a Cyrillic look-alike a', ...createTenant({ slug: `${CYRILLIC_A}cme-corp` }), ...invalid('slug') },
  { input: 'slug with SQL metacharacters', ...createTenant({ slug: "acme'; DROP TABLE tenants;--" }), ...invalid('slug') },
  { input: 'slug with a shell command substitution', ...createTenant({ slug: '$(rm -rf /)' }), ...invalid('slug') },
  { input: 'slug with backticks', ...createTenant({ slug: '`reboot`' }), ...invalid('slug') },
  { input: 'slug with a zero-width space', ...createTenant({ slug: `acme${ZERO_WIDTH_SPACE}corp` }), ...invalid('slug') },
  { input: 'slug with a leading hyphen', ...createTenant({ slug: '-acme' }), ...invalid('slug') },
  { input: 'slug with an underscore', ...createTenant({ slug: 'acme_corp' }), ...invalid('slug') },
  { input: 'slug held by another tenant', attempt: (f) => createTenantInDB(knex, tenantInput({ slug: f.otherTenant.slug })), type: 'TenantAlreadyExists' },
  // contact email
  { input: 'empty contact email', ...createTenant({ contactEmail: '' }), ...invalid('contactEmail') },
  { input: 'contact email without @', ...createTenant({ contactEmail: 'billing.acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with two @', ...createTenant({ contactEmail: 'billing@acme@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a leading dot', ...createTenant({ contactEmail: '.billing@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a double dot', ...createTenant({ contactEmail: 'bill..ing@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email without a TLD', ...createTenant({ contactEmail: 'billing@localhost' }), ...invalid('contactEmail') },
  { input: 'contact email with a Cyrillic look-alike a', ...createTenant({ contactEmail: `billing@${CYRILLIC_A}cme.example` }), ...invalid('contactEmail') },
  { input: 'contact email with a 65-character local part', ...createTenant({ contactEmail: `${'a'.repeat(65)}@acme.example` }), ...invalid('contactEmail') },
  { input: 'contact email of 255 characters', ...createTenant({ contactEmail: emailOfLength(255) }), ...invalid('contactEmail') },
  { input: 'contact email with a shell command substitution', ...createTenant({ contactEmail: '$(rm -rf /)@acme.example' }), ...invalid('contactEmail') },
  { input: 'contact email with backticks in the domain', ...createTenant({ contactEmail: 'billing@`reboot`.example' }), ...invalid('contactEmail') },
  { input: 'contact email with a NUL byte', ...createTenant({ contactEmail: `billing${NUL}@acme.example` }), ...invalid('contactEmail') },
  { input: 'empty idempotency key', ...createTenant({ idempotencyKey: ' ' }), ...invalid('idempotencyKey') },
  {
    input: 'idempotency key that already created a tenant with another slug',
    attempt: (f) => createTenantInDB(knex, tenantInput({ idempotencyKey: f.otherTenant.idempotencyKey })),
    ...invalid('idempotencyKey'),
  },
  // admin user
  { input: 'admin email with a Cyrillic look-alike a', ...createAdmin({ email: `${CYRILLIC_A}dmin@acme.example` }), ...invalid('email') },
  { input: 'admin email with a zero-width space', ...createAdmin({ email: `admin${ZERO_WIDTH_SPACE}@acme.example` }), ...invalid('email') },
  { input: 'admin email without a TLD', ...createAdmin({ email: 'admin@acme' }), ...invalid('email') },
  { input: 'admin email used by an internal user of another tenant', ...createAdmin((f) => ({ email: f.otherTenant.adminEmail })), type: 'EmailAlreadyInUse' },
  {
    input: 'admin email used in another tenant, in upper case',
    ...createAdmin((f) => ({ email: f.otherTenant.adminEmail.toUpperCase(), password: 'correct horse battery' })),
    type: 'EmailAlreadyInUse',
  },
  { input: 'empty first name', ...createAdmin({ firstName: '' }), ...invalid('firstName') },
  { input: 'whitespace-only last name', ...createAdmin({ lastName: '   ' }), ...invalid('lastName') },
  { input: 'first name of 101 characters', ...createAdmin({ firstName: 'A'.repeat(101) }), ...invalid('firstName') },
  { input: 'first name with a NUL byte', ...createAdmin({ firstName: `Ada${NUL}` }), ...invalid('firstName') },
  { input: 'first name with a shell command substitution', ...createAdmin({ firstName: '$(rm -rf /)' }), ...invalid('firstName') },
  { input: 'last name with backticks', ...createAdmin({ lastName: '`reboot`' }), ...invalid('lastName') },
  { input: 'last name with SQL metacharacters', ...createAdmin({ lastName: "Robert'); DROP TABLE users;--" }), ...invalid('lastName') },
  { input: 'last name with a right-to-left override', ...createAdmin({ lastName: `Love${RIGHT_TO_LEFT_OVERRIDE}lace` }), ...invalid('lastName') },
  { input: 'password of 73 bytes', ...createAdmin({ password: 'p'.repeat(73) }), ...invalid('password') },
  { input: "password of 25 x '€' (75 bytes, 25 characters)", ...createAdmin({ password: '€'.repeat(25) }), ...invalid('password') },
  { input: 'password of 7 bytes', ...createAdmin({ password: 'p'.repeat(7) }), ...invalid('password') },
  { input: 'password with a NUL byte', ...createAdmin({ password: `correct${NUL}horse battery` }), ...invalid('password') },
  { input: 'admin tenantId that is not a UUID', ...createAdmin({ tenantId: 'acme' }), ...invalid('tenantId') },
  { input: 'admin tenantId with SQL metacharacters', ...createAdmin({ tenantId: "' OR 1=1 --" }), ...invalid('tenantId') },
  // the other operations
  { input: 'setupTenantData for a tenantId that is not a UUID', attempt: () => setupTenantDataInDB(knex, 'not-a-uuid'), ...invalid('tenantId') },
  { input: 'activateTenant for a tenantId that is not a UUID', attempt: () => activateTenantInDB(knex, '1; DELETE FROM tenants'), ...invalid('tenantId') },
  { input: 'rollbackUser for a tenantId that is not a UUID', attempt: () => rollbackUserInDB(knex, 'acme', { force: true }), ...invalid('tenantId') },
  { input: 'rollbackTenant for a tenantId that is not a UUID', attempt: () => rollbackTenantInDB(knex, '*', { force: true }), ...invalid('tenantId') },
  // invisible, blank and malformed code points; IDN-encoded and look-alike slugs; NFC and the byte limit
  ...INVISIBLE_IN_NAMES.flatMap(({ label, char }): BadInput[] => [
    { input: `tenant name that is ${label}`, ...createTenant({ name: char }), ...invalid('name') },
    { input: `tenant name with ${label}`, ...createTenant({ name: `Acme${char}Corp` }), ...invalid('name') },
    { input: `first name that is ${label}`, ...createAdmin({ firstName: char }), ...invalid('firstName') },
    { input: `last name with ${label}`, ...createAdmin({ lastName: `Love${char}lace` }), ...invalid('lastName') },
    { input: `password with ${label}`, ...createAdmin({ password: `correct horse${char}battery` }), ...invalid('password') },
  ]),
  { input: 'punycode slug (xn--)', ...createTenant({ slug: 'xn--80ak6aa92e' }), ...invalid('slug') },
  { input: 'punycode slug in upper case', ...createTenant({ slug: 'XN--MNCHEN-3YA' }), ...invalid('slug') },
  { input: 'slug with the Kelvin sign, which lower-cases to k', ...createTenant({ slug: '\u212acme-corp' }), ...invalid('slug') },
  { input: 'password of 24 x U+0958 (72 bytes, 144 after NFC)', ...createAdmin({ password: '\u0958'.repeat(24) }), ...invalid('password') },
];

describe(`${BAD_INPUTS.length} bad inputs`, () => {
  it('are at least 30', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  const cases = BAD_INPUTS.map((c) => ({ ...c, expected: c.field ? `${c.type} (${c.field})` : c.type }));
  it.each(cases)('$input -> $expected, and no row written', async ({ attempt, type, field }) => {
    const before = await countAllRows(knex);
    const error = await expectProvisioningError(attempt(fixture), type, field);
    expect(await countAllRows(knex)).toEqual(before);
    expect(error.message).not.toContain('correct horse');
  });

  const activityCases = cases.filter((c) => c.activity !== undefined);
  it.each(activityCases)('$input -> $expected from the activity, non-retryable, and no row written', async ({ activity: run, type, field }) => {
    const before = await countAllRows(knex);
    const failure = await run!(fixture).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true });
    if (field) expect((failure as ApplicationFailure).message).toMatch(new RegExp(`^${field} `));
    expect((failure as ApplicationFailure).message).not.toContain('correct horse');
    expect(await countAllRows(knex)).toEqual(before);
  });

  const clientCases = cases.filter((c) => c.type === 'InvalidInput' && c.request !== undefined);
  it.each(clientCases)("$input -> $expected from the client's toWorkflowInput, before anything starts", async ({ request, type, field }) => {
    await expectProvisioningError(Promise.resolve(request!).then(toWorkflowInput), type, field);
  });
});

describe('the client request the bad inputs start from', () => {
  it('is accepted by toWorkflowInput', () => {
    expect(() => toWorkflowInput(validRequest())).not.toThrow();
  });
});

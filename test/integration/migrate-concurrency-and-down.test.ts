import { openTestDatabase } from '../support/test-database';
import { createTenantInDB } from '../../src/db/tenant-operations';
import { MIGRATIONS } from '../../src/db/migrations';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { testingOnCitus } from '../harness/citus-cluster';
import { tenantInput } from '../support/tenant-fixtures';

const ALL_NAMES = MIGRATIONS.map((m) => m.name);
const scratches: ScratchDatabase[] = [];

async function freshDatabase(): Promise<{ scratch: ScratchDatabase; env: NodeJS.ProcessEnv }> {
  const scratch = await createScratchDatabase('tw_scratch_migrate');
  scratches.push(scratch);
  return { scratch, env: { ...process.env, DB_NAME_SERVER: scratch.name } };
}

afterAll(async () => {
  for (const scratch of scratches) await scratch.drop();
});

describe('two migrate processes at once on a fresh database', () => {
  it('both succeed, and each reports only what it applied: together every migration, none twice', async () => {
    const { env } = await freshDatabase();
    const results = await Promise.all([runCli(['migrate', '--json'], env), runCli(['migrate', '--json'], env)]);
    for (const result of results) expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const [first, second] = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
    expect([...first!, ...second!].sort()).toEqual(ALL_NAMES);
    expect(first!.filter((name) => second!.includes(name))).toEqual([]);
  });
});

describe('migrate --down', () => {
  let scratch: ScratchDatabase;
  let env: NodeJS.ProcessEnv;
  const last = ALL_NAMES.at(-1)!;

  beforeAll(async () => {
    ({ scratch, env } = await freshDatabase());
    expect((await runCli(['migrate'], env)).status).toBe(0);
  });

  it('without --yes exits 64 naming the flag, and rolls nothing back', async () => {
    const result = await runCli(['migrate', '--down', '--step', '1'], env);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('add --yes to confirm');
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  });

  it('refuses while a session of a worker (the pool of another process) is connected', async () => {
    const workerPool = openTestDatabase(scratch.config);
    await createTenantInDB(workerPool.admin, tenantInput());
    const result = await runCli(['migrate', '--down', '--step', '1', '--yes', '--force-data-loss'], env);
    await workerPool.close();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^migrate --down refused: \d+ session\(s\) of a running worker are connected to tw_scratch_migrate/);
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  });

  it('refuses to drop a table that holds rows without --force-data-loss, naming it', async () => {
    const result = await runCli(['migrate', '--down', '--step', String(ALL_NAMES.length), '--yes', '--json'], env);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: expect.stringContaining('refused') });
    // On Citus the newest migration's down drops the lookup table, which holds the tenant's slug and key too.
    const held = testingOnCitus() ? 'public.tenant_lookup, public.tenants' : 'public.tenants';
    expect(result.stderr).toContain(`it would drop tables that hold rows: ${held}; back them up, then add --force-data-loss`);
    expect(JSON.parse(result.stdout)).toEqual({ refused: expect.stringContaining('public.tenants') });
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  }, 180_000); // on Citus the dry run undistributes the tables in a transaction it rolls back

  it('rolls back a migration whose tables are empty with --yes, and the rest with --force-data-loss', async () => {
    const empty = await runCli(['migrate', '--down', '--step', '1', '--yes', '--json', ...(testingOnCitus() ? ['--force-data-loss'] : [])], env);
    expect(empty.status).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ rolledBack: [last] });
    const forced = await runCli(['migrate', '--down', '--step', String(ALL_NAMES.length), '--yes', '--force-data-loss', '--json'], env);
    expect(forced.status).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ rolledBack: ALL_NAMES.slice(0, -1).reverse(), current: null, pending: ALL_NAMES });
  }, 180_000);
});

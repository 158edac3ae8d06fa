import { LEGACY_DB_VARIABLES } from '../../src/config/legacy';
import { MIGRATIONS } from '../../src/db/migrations';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';

let scratch: ScratchDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  env = { ...process.env, DB_NAME_SERVER: scratch.name };
});
afterAll(() => scratch.drop());

describe('tenant-workflows migrate', () => {
  it('--check lists every migration as pending on an empty database and exits 1', async () => {
    const result = await runCli(['migrate', '--check'], env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`pending migrations (${MIGRATIONS.length}):`);
    for (const m of MIGRATIONS) expect(result.stdout).toContain(m.name);
  });

  it('applies them, after which --check reports none and exits 0', async () => {
    const applied = await runCli(['migrate'], env);
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain(`applied ${MIGRATIONS.length}`);
    const check = await runCli(['migrate', '--check'], env);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain(`database is up to date (current: ${MIGRATIONS.at(-1)!.name})`);
  });

  it('exits non-zero naming DB_HOST when the legacy host variable is set, and touches nothing', async () => {
    const legacyHost = Object.keys(LEGACY_DB_VARIABLES).find((k) => LEGACY_DB_VARIABLES[k] === 'DB_HOST')!;
    const result = await runCli(['migrate', '--down'], { ...env, [legacyHost]: 'db.example' });
    expect(result.status).toBe(78);
    expect(result.stderr.trim()).toBe(`configuration error: ${legacyHost} is no longer read; rename it to DB_HOST and unset ${legacyHost}`);
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  });

  it('gives a one-line error naming DB_PORT for DB_PORT=abc', async () => {
    const result = await runCli(['migrate', '--check'], { ...env, DB_PORT: 'abc' });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: DB_PORT: 'abc' is not valid/);
  });

  it('rejects an unknown flag with usage', async () => {
    const result = await runCli(['migrate', '--sideways'], env);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain("Unknown option '--sideways'");
    expect(result.stderr).toContain('Usage: tenant-workflows migrate');
  });
});

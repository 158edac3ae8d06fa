import { LEGACY_DB_VARIABLES } from '../../src/config/legacy';
import { MIGRATIONS } from '../../src/db/migrations';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';

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
    expect(check.stdout).toBe(`current: ${MIGRATIONS.at(-1)!.name}\ndatabase is up to date\n`);
  });

  it('exits non-zero naming DB_HOST when the legacy host variable is set, and touches nothing', async () => {
    const legacyHost = Object.keys(LEGACY_DB_VARIABLES).find((k) => LEGACY_DB_VARIABLES[k] === 'DB_HOST')!;
    const result = await runCli(['migrate', '--down', '--step', '4', '--yes'], { ...env, [legacyHost]: 'db.example' });
    expect(result.status).toBe(78);
    expect(result.stderr.trim()).toBe(`configuration error: ${legacyHost} is no longer read; rename it to DB_HOST and unset ${legacyHost}`);
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  });

  it('--down --step N and --to VERSION move one migration at a time, with --json output', async () => {
    const last = MIGRATIONS.at(-1)!.name;
    const down = await runCli(['migrate', '--down', '--step', '1', '--yes', '--json'], env);
    expect(down.status).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({ rolledBack: [last], current: MIGRATIONS.at(-2)!.name, pending: [last] });
    const check = await runCli(['migrate', '--check', '--json'], env);
    expect(check.status).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ pending: [last] });
    const up = await runCli(['migrate', '--to', last.split('_')[0]!, '--json'], env);
    expect(JSON.parse(up.stdout)).toEqual({ applied: [last], current: last, pending: [] });
  });

  it.each([[['--down']], [['--step', '2']], [['--down', '--step', '0']], [['--check', '--to', 'x']]])('refuses %j with usage', async (args) => {
    const result = await runCli(['migrate', ...args], env);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('Usage: tenant-workflows migrate');
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

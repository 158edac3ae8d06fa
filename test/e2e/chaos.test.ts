import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SCENARIO_NAMES } from '../../bench/chaos-scenarios';
import { REPOSITORY_ROOT } from '../support/repository-files';

/** The suite's PostgreSQL cannot be restarted by a test: the chaos run starts an embedded one of its own. */
const OWN_DATABASE_ENV = ['DB_HOST', 'DB_PORT', 'DB_USER_ADMIN', 'DB_PASSWORD_ADMIN', 'DB_NAME_SERVER'];

/**
 * Runs a short `npm run chaos` (the same scenarios and checks, fewer provisionings and kills) as its own
 * process, on the suite's Temporal server, and resolves with its exit code and output.
 */
function runShortChaos(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_DATABASE_ENV.includes(name)));
  const args = ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'bench/chaos.ts'), '--tenants', '12', '--kills', '3', '--seed', '20261121', '--timeout-s', '40'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPOSITORY_ROOT, env, encoding: 'utf8', timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('npm run chaos, short (a real worker process, PostgreSQL and Temporal)', () => {
  it('passes every scenario: SIGKILLs, terminated backends, a PostgreSQL restart, then a clean shutdown', async () => {
    const run = await runShortChaos();
    // On failure jest shows the whole summary: each scenario's line and the problems under it.
    for (const name of [...SCENARIO_NAMES, 'shutdown']) expect(run.stdout).toMatch(new RegExp(`^${name}: PASS`, 'm'));
    expect(run.stdout).toMatch(/^sigkill: .*3 SIGKILLs/m);
    expect(run.status).toBe(0);
  }, 150_000);
});

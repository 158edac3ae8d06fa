import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../harness/repository-files';

const JEST_TIMEOUT_MS = 150_000;

/**
 * Runs a short `npm run chaos` (the same scenarios and checks, fewer provisionings and kills) as its own
 * process: on the suite's Temporal server, on an embedded PostgreSQL of its own (the suite's cannot be
 * restarted by a test), with the worker run from source (no build into dist/ in the middle of the suite).
 */
function runShortChaos(): Promise<{ status: number | NodeJS.Signals | null; stdout: string; stderr: string }> {
  const args = ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'bench/chaos/chaos.ts')];
  args.push('--tenants', '12', '--kills', '3', '--seed', '20261121', '--timeout-s', '40', '--from-source', '--embedded-database');
  // In a process group of its own: past its time, the run and everything it started (worker, PostgreSQL) are killed together.
  const child = spawn(process.execPath, args, { cwd: REPOSITORY_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const overtime = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), JEST_TIMEOUT_MS - 15_000);
  return new Promise((resolve) =>
    child.once('close', (status, signal) => {
      clearTimeout(overtime);
      resolve({ status: status ?? signal, stdout, stderr });
    }),
  );
}

describe('npm run chaos, short (a real worker process, PostgreSQL and Temporal)', () => {
  it(
    'passes every scenario: SIGKILLs, terminated backends, a PostgreSQL restart, then a clean shutdown',
    async () => {
      const run = await runShortChaos();
      if (run.status !== 0) throw new Error(`the chaos run exited ${run.status}:\n${run.stdout}\n${run.stderr.slice(-6000)}`);
      // The run names the scenarios it runs (all of them, by default); each one, and the shutdown, must pass.
      const scenarios = /^scenarios: (.+)$/m.exec(run.stdout)?.[1]?.split(', ') ?? [];
      expect(scenarios).toEqual(expect.arrayContaining(['sigkill', 'terminate-backends', 'restart-postgres']));
      for (const name of [...scenarios, 'shutdown']) expect(run.stdout).toMatch(new RegExp(`^${name}: PASS`, 'm'));
    },
    JEST_TIMEOUT_MS,
  );
});

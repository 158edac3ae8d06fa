import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../support/repository-files';

/** Runs a benchmark program with `flags`; a bad command line must fail before anything starts. */
function runBench(program: string, flags: string[]) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'bench', program), ...flags], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('the benchmarks refuse a bad command line with exit 64, naming the flag, before starting anything', () => {
  it.each([
    ['provisioning-bench.ts', ['--c', 'x'], "--c must be an integer from 1 to 1000, not 'x'"],
    ['chaos.ts', ['--scenarios', 'sigkill,flood'], '--scenarios: unknown flood; known: sigkill, terminate-backends, restart-postgres'],
    ['chaos.ts', ['--tenant', '5'], "Unknown option '--tenant'"],
  ])('%s %j', (program, flags, message) => {
    const run = runBench(program, flags);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/PostgreSQL|Temporal|building/);
    expect(run.status).toBe(64);
  }, 30_000);
});

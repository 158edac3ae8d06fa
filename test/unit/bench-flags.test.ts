import { runTypeScript } from '../support/run-cli';

describe('the benchmarks refuse a bad command line with exit 64, naming the flag, before starting anything', () => {
  it.each([
    ['provisioning/provisioning-bench.ts', ['--c', 'x'], "--c must be an integer from 1 to 1000, not 'x'"],
    ['provisioning/provisioning-bench.ts', ['--workers', '1,,3'], "--workers must be a comma-separated list of integers from 1 to 16, not '1,,3'"],
    ['chaos/chaos.ts', ['--scenarios', 'sigkill,flood'], '--scenarios: unknown flood; known: sigkill, terminate-backends, restart-postgres'],
    ['chaos/chaos.ts', ['--tenant', '5'], "Unknown option '--tenant'"],
  ])('%s %j', async (program, flags, message) => {
    const run = await runTypeScript(`bench/${program}`, flags, { timeoutMs: 30_000 });
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/PostgreSQL|Temporal|building/);
    expect(run.status).toBe(64);
  }, 30_000);
});

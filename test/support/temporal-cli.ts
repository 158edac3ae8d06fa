import { execFile } from 'node:child_process';
import { resolveTemporalCli } from '../../src/dev/temporal-cli';
import type { CliResult } from './run-cli';

/**
 * Runs the real `temporal` CLI (the binary the harness's dev server runs from) against the test
 * server, without our payload codec: a client from outside, as an operator or another language would be.
 */
export async function runTemporalCli(args: string[]): Promise<CliResult> {
  const cli = await resolveTemporalCli(() => undefined);
  if (!cli) throw new Error('no temporal CLI: set TEMPORAL_CLI_PATH or install Go');
  return new Promise((resolve) => {
    execFile(
      cli,
      [...args, '--address', process.env.TEMPORAL_ADDRESS!, '--namespace', 'default'],
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

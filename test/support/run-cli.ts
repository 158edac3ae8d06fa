import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './repository-files';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tenant-workflows <args>` from source as a separate process, with env replacing process.env.
 * Asynchronous, so the test process keeps serving its own sockets while the command runs.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'src/cli.ts'), ...args],
      { cwd: REPOSITORY_ROOT, env, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

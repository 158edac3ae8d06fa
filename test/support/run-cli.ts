import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './repository-files';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tenant-workflows <args>` from source as a separate process, with env replacing process.env. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'src/cli.ts'), ...args], {
    cwd: REPOSITORY_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../harness/repository-files';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript program of this repository (a path from its root) from source as a separate
 * process. Asynchronous, so the test process keeps serving its own sockets while the program runs.
 */
export function runTypeScript(
  path: string,
  args: string[],
  { env = process.env, timeoutMs = 60_000, cwd = REPOSITORY_ROOT }: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), join(REPOSITORY_ROOT, path), ...args],
      { cwd, env: cwd === REPOSITORY_ROOT ? env : { ...env, TS_NODE_PROJECT: join(REPOSITORY_ROOT, 'tsconfig.json') }, encoding: 'utf8', timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** Runs `tenant-workflows <args>` from source, with env replacing process.env. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runTypeScript('src/cli.ts', args, { env, ...options });
}

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildIsCurrent } from './current-build';
import { REPOSITORY_ROOT } from './repository-files';

export interface ChaosRun {
  status: number | NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run chaos` with `args` as its own process, its workers from the build when it is current
 * (see buildIsCurrent), else from source; never building into dist/ in the middle of the suite. In a
 * process group of its own: past `killAfterMs`, the run and everything it started (workers, PostgreSQL
 * servers) are killed together.
 */
export function runShortChaos(args: string[], killAfterMs: number): Promise<ChaosRun> {
  const argv = ['-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'bench/chaos/chaos.ts'), ...args, ...(buildIsCurrent() ? ['--prebuilt'] : ['--from-source'])];
  const child = spawn(process.execPath, argv, { cwd: REPOSITORY_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const overtime = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.once('close', (status, signal) => {
      clearTimeout(overtime);
      resolve({ status: status ?? signal, stdout, stderr });
    }),
  );
}

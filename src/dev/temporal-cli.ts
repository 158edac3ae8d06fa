import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** The last temporal CLI tag `go install` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find(isExecutable);
}

/** Our cache directory (outside the repository): `$XDG_CACHE_HOME/tenant-workflows`, else `~/.cache/tenant-workflows`. */
export function tenantWorkflowsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tenant-workflows');
}

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(tenantWorkflowsCacheDir(env), 'bin');
}

/** The machine's Go: on PATH, else the official install location. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/**
 * Finds a `temporal` CLI to run a local dev server: TEMPORAL_CLI_PATH, then PATH, then our cache
 * directory, else builds it into the cache with Go. Undefined when none of these can provide one,
 * in which case the caller lets the Temporal SDK download it (works only with internet access).
 */
export async function resolveTemporalCli(
  log: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH: ${env.TEMPORAL_CLI_PATH} is not an executable file; point it at a temporal CLI binary or unset it`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return onPath;

  const cacheDir = temporalCliCacheDir(env);
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return cached;

  const go = findGo(env);
  if (!go) return undefined;
  log(`building the temporal CLI into ${cacheDir} with ${go} (first run only, a few minutes)`);
  await promisify(execFile)(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...env, GOBIN: cacheDir },
    maxBuffer: 16 * 1024 * 1024,
  });
  return cached;
}

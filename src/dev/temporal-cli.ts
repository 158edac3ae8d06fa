import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { withBuildLock } from './build-lock';

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
  mkdirSync(cacheDir, { recursive: true });
  let lastWaitNotice = -Infinity;
  await withBuildLock(
    join(cacheDir, 'temporal.build.lock'),
    () => isExecutable(cached),
    () => buildTemporalCli(go, cacheDir, log, env),
    (owner, waitedMs) => {
      if (waitedMs - lastWaitNotice < PROGRESS_EVERY_MS) return;
      lastWaitNotice = waitedMs;
      log(`another process (pid ${owner}) is building the temporal CLI into ${cacheDir}; waiting for it (${seconds(waitedMs)})`);
    },
  );
  return cached;
}

const PROGRESS_EVERY_MS = 15_000;

function seconds(ms: number): string {
  const total = Math.round(ms / 1000);
  return total >= 60 ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

/**
 * go install into a directory of its own, then a rename into the cache: a process waiting for the lock
 * never sees half a binary. Go's list of packages (-v) is summarised every PROGRESS_EVERY_MS.
 */
async function buildTemporalCli(go: string, cacheDir: string, log: (message: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  log(
    `the local Temporal dev server needs the temporal CLI, which is not installed: building ${TEMPORAL_CLI_MODULE} with ${go} into ${cacheDir}, ` +
      'once (several minutes on a fresh machine). To skip it, put an installed temporal on PATH or set TEMPORAL_CLI_PATH',
  );
  const gobin = mkdtempSync(join(cacheDir, '.build-'));
  const started = Date.now();
  let packages = 0;
  let last = '';
  let output = '';
  const progress = setInterval(() => log(`building the temporal CLI: ${seconds(Date.now() - started)}, ${packages} packages compiled${last ? ` (last: ${last})` : ''}`), PROGRESS_EVERY_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', '-v', TEMPORAL_CLI_MODULE], { env: { ...env, GOBIN: gobin }, stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        output = (output + text).slice(-4000);
        const lines = text.split('\n').filter((line) => line.trim() && !line.startsWith('go: '));
        packages += lines.length;
        last = lines.at(-1)?.trim() ?? last;
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${code}): ${output.trim()}`))));
    });
    renameSync(join(gobin, 'temporal'), join(cacheDir, 'temporal'));
    log(`built the temporal CLI in ${seconds(Date.now() - started)}: ${join(cacheDir, 'temporal')}`);
  } finally {
    clearInterval(progress);
    rmSync(gobin, { recursive: true, force: true });
  }
}

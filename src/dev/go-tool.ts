import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { withBuildLock } from './build-lock';

/**
 * What the temporal CLI and Jaeger share: a binary found through an env variable, PATH or our cache
 * directory, else built once with Go into that cache under a lock (concurrent first runs share one build).
 */
export interface GoTool {
  /** The binary's file name (`temporal`, `jaeger`). */
  binary: string;
  /** How log lines call it (`the temporal CLI`). */
  label: string;
  /** The variable that points at an installed binary instead (`TEMPORAL_CLI_PATH`). */
  pathVariable: string;
  /** What it is built from, for the log lines. */
  module: string;
  /** Why it is being built, for the first log line. */
  purpose: string;
  /** The Go commands (arguments to `go`) that leave `<outDir>/<binary>`, run in a scratch directory; GOBIN is outDir. */
  commands: (outDir: string) => string[][];
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
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

/** Where built tools are cached. */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(tenantWorkflowsCacheDir(env), 'bin');
}

/** The machine's Go: on PATH, else the official install location. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** The tool's path variable (checked: it must be executable), else PATH, else the cache; never builds. */
export function findGoTool(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env[tool.pathVariable];
  if (given) {
    if (!isExecutable(given)) throw new Error(`${tool.pathVariable}: ${given} is not an executable file; point it at a ${tool.binary} binary or unset it`);
    return given;
  }
  const cached = join(toolCacheDir(env), tool.binary);
  return findOnPath(tool.binary, env) ?? (isExecutable(cached) ? cached : undefined);
}

/**
 * findGoTool, else builds it into the cache with Go (once: a process that finds another building waits
 * for it). Undefined when there is no Go either.
 */
export async function resolveGoTool(tool: GoTool, log: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const found = findGoTool(tool, env);
  if (found) return found;
  const go = findGo(env);
  if (!go) return undefined;
  const cacheDir = toolCacheDir(env);
  const cached = join(cacheDir, tool.binary);
  mkdirSync(cacheDir, { recursive: true });
  let lastWaitNotice = -Infinity;
  await withBuildLock(
    join(cacheDir, `${tool.binary}.build.lock`),
    () => isExecutable(cached),
    () => buildGoTool(tool, go, cacheDir, log, env),
    (owner, waitedMs) => {
      if (waitedMs - lastWaitNotice < PROGRESS_EVERY_MS) return;
      lastWaitNotice = waitedMs;
      log(`another process (pid ${owner}) is building ${tool.label} into ${cacheDir}; waiting for it (${seconds(waitedMs)})`);
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
 * The Go commands in a scratch directory of their own, then a rename into the cache: a process waiting
 * for the lock never sees half a binary. Go's list of packages (-v) is summarised every PROGRESS_EVERY_MS.
 */
async function buildGoTool(tool: GoTool, go: string, cacheDir: string, log: (message: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  log(
    `${tool.purpose} needs ${tool.label}, which is not installed: building ${tool.module} with ${go} into ${cacheDir}, ` +
      `once (several minutes on a fresh machine). To skip it, put an installed ${tool.binary} on PATH or set ${tool.pathVariable}`,
  );
  const scratch = mkdtempSync(join(cacheDir, `.build-${tool.binary}-`));
  const outDir = join(scratch, 'bin');
  mkdirSync(outDir);
  const started = Date.now();
  const progress = { packages: 0, last: '' };
  const timer = setInterval(
    () => log(`building ${tool.label}: ${seconds(Date.now() - started)}, ${progress.packages} packages compiled${progress.last ? ` (last: ${progress.last})` : ''}`),
    PROGRESS_EVERY_MS,
  );
  try {
    for (const args of tool.commands(outDir)) await runGo(go, args, scratch, { ...env, GOBIN: outDir }, progress);
    renameSync(join(outDir, tool.binary), join(cacheDir, tool.binary));
    log(`built ${tool.label} in ${seconds(Date.now() - started)}: ${join(cacheDir, tool.binary)}`);
  } finally {
    clearInterval(timer);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runGo(go: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, progress: { packages: number; last: string }): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const child = spawn(go, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      const lines = text.split('\n').filter((line) => line.trim() && !line.startsWith('go: '));
      progress.packages += lines.length;
      progress.last = lines.at(-1)?.trim() ?? progress.last;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`go ${args.join(' ')} failed (exit ${code}): ${output.trim()}`))));
  });
}

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findGo, tenantWorkflowsCacheDir } from '../../src/dev/temporal-cli';
import { REPOSITORY_ROOT } from '../harness/repository-files';
import type { CliResult } from './run-cli';

export const GO_CLIENT_DIR = join(REPOSITORY_ROOT, 'test', 'interop', 'go-client');

/** A first build downloads the Temporal Go SDK's modules and compiles gRPC: about a minute here, more on a cold machine. */
const BUILD_TIMEOUT_MS = 10 * 60_000;
/** A lock older than a build can take was left by a killed run. */
const STALE_LOCK_MS = BUILD_TIMEOUT_MS + 60_000;
/** Builds of older sources unused this long are removed (another checkout may still use a recent one). */
const UNUSED_BUILD_MS = 7 * 24 * 3600_000;

/** Why the Go client cannot run here, or undefined when it can. */
export function goClientSkipReason(): string | undefined {
  return findGo() ? undefined : 'skipped: no Go toolchain (go on PATH or /usr/local/go/bin/go)';
}

/** Hash of everything the binary is built from: a change to the program or its pinned modules builds anew. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(GO_CLIENT_DIR).filter((name) => name === 'go.mod' || name === 'go.sum' || name.endsWith('.go')).sort();
  for (const name of files) hash.update(name).update('\0').update(readFileSync(join(GO_CLIENT_DIR, name))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mkdir is atomic: whoever creates the lock directory builds; the others wait for the binary. */
async function withLock(lock: string, ready: () => boolean, work: () => Promise<void>): Promise<void> {
  for (;;) {
    if (ready()) return;
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      await sleep(1000);
    }
  }
  try {
    if (!ready()) await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The Go client's binary, built with the machine's Go into our cache directory (outside the
 * repository), once per content of its sources: later runs, and concurrent ones, reuse it.
 */
export async function buildGoClient(): Promise<string> {
  const go = findGo();
  if (!go) throw new Error(goClientSkipReason());
  const builds = join(tenantWorkflowsCacheDir(), 'go-client');
  const hash = sourceHash();
  const dir = join(builds, hash);
  const binary = join(dir, 'go-client');
  mkdirSync(dir, { recursive: true });
  removeUnusedBuilds(builds, hash);
  await withLock(join(dir, 'lock'), () => existsSync(binary), async () => {
    const partial = `${binary}.partial`;
    // -mod=readonly: the committed go.sum must already name every module; GOTOOLCHAIN=local: never fetch another Go.
    await promisify(execFile)(go, ['build', '-mod=readonly', '-buildvcs=false', '-o', partial, '.'], {
      cwd: GO_CLIENT_DIR,
      env: { ...process.env, GOTOOLCHAIN: 'local' },
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    renameSync(partial, binary);
  });
  const now = new Date();
  utimesSync(dir, now, now); // marks this build as used, for removeUnusedBuilds
  return binary;
}

function removeUnusedBuilds(builds: string, current: string): void {
  for (const name of readdirSync(builds)) {
    const dir = join(builds, name);
    const usedAt = statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (name !== current && !existsSync(join(dir, 'lock')) && Date.now() - usedAt > UNUSED_BUILD_MS) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the Go client with `args`, the environment `env` on top of this process's. */
export function runGoClient(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/net';
import { REPOSITORY_ROOT } from './repository-files';
import { waitFor } from './wait-for';

export interface WorkerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** How to run `tenant-workflows`: a command line (to which `worker` is appended) and its directory. */
export interface CliCommand {
  argv: string[];
  cwd: string;
}

export const CLI_FROM_SOURCE: CliCommand = {
  argv: [process.execPath, '-r', 'ts-node/register/transpile-only', join(REPOSITORY_ROOT, 'src/cli.ts')],
  cwd: REPOSITORY_ROOT,
};

/** The output of `npm run build`, run as the image runs it: compiled JavaScript and the prebuilt workflow bundle. */
export const CLI_FROM_BUILD: CliCommand = {
  argv: [process.execPath, join(REPOSITORY_ROOT, 'dist/cli.js')],
  cwd: REPOSITORY_ROOT,
};

/**
 * Runs `tenant-workflows worker` as its own process, as a deployment would: from source unless `cli`
 * says otherwise (a built install), as this user unless `uid`/`gid` are given.
 */
export async function startWorkerProcess(
  env: NodeJS.ProcessEnv,
  { cli = CLI_FROM_SOURCE, uid, gid }: { cli?: CliCommand; uid?: number; gid?: number } = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const [executable = '', ...args] = cli.argv;
  const child = spawn(executable, [...args, 'worker'], {
    cwd: cli.cwd,
    env: { ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => child.exitCode === null && (await fetch(`${baseUrl}/healthz`)).ok, `the worker on ${baseUrl}`, 60_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    child,
    baseUrl,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Registers, for the calling test file, a worker process (startWorkerProcess with `env`) started before
 * all its tests and killed after them. The returned object is filled in by beforeAll.
 */
export function useWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const worker = {} as WorkerProcess;
  beforeAll(async () => {
    Object.assign(worker, await startWorkerProcess(env));
  }, 90_000);
  afterAll(async () => {
    if (worker.child?.exitCode === null) await worker.stop('SIGKILL');
  });
  return worker;
}

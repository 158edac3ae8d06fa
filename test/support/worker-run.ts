import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CLI_FROM_SOURCE } from '../harness/worker-process';
import { waitFor } from '../harness/wait-for';

export interface WorkerRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** When the process first wrote to stderr (its failure line), if it did. */
  firstStderrAt: () => number | undefined;
  /** Resolves when the process is gone: its exit code (or 128 + n when a signal ended it) and when. */
  exited: Promise<{ code: number | null; at: number }>;
  /** Waits until the worker has written `text` (a log message) to stdout. */
  waitForOutput: (text: string, timeoutMs?: number) => Promise<void>;
}

/**
 * `unshare` arguments that run the worker as PID 1 of a new PID namespace, as a container entrypoint
 * runs, or undefined where this machine cannot (no unshare, no privilege for namespaces).
 */
export function asPidOne(): string[] | undefined {
  for (const prefix of [
    ['unshare', '--pid', '--fork', '--kill-child'],
    ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--kill-child'],
  ]) {
    if (spawnSync(prefix[0]!, [...prefix.slice(1), 'true']).status === 0) return prefix;
  }
  return undefined;
}

/** Runs `tenant-workflows worker` from source with `env` (replacing process.env), collecting its output. */
export function runWorkerProcess(env: NodeJS.ProcessEnv, { prefix = [] }: { prefix?: string[] } = {}): WorkerRun {
  const [executable = '', ...args] = [...prefix, ...CLI_FROM_SOURCE.argv, 'worker'];
  const child = spawn(executable, args, { cwd: CLI_FROM_SOURCE.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let firstStderrAt: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    firstStderrAt ??= Date.now();
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    firstStderrAt: () => firstStderrAt,
    exited,
    waitForOutput: (text, timeoutMs = 20_000) =>
      waitFor(() => Promise.resolve(stdout.includes(text)), `'${text}' from the worker`, timeoutMs).then(
        () => undefined,
        (error: Error) => {
          throw new Error(`${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
        },
      ),
  };
}

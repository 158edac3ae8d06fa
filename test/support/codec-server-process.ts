import { spawn } from 'node:child_process';
import { freePort } from '../../src/net';
import { CLI_FROM_SOURCE } from '../harness/worker-process';
import { waitFor } from '../harness/wait-for';

export interface CodecServerProcess {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Runs `tenant-workflows codec-server` as its own process on a free port, with `env`, until stop(). */
export async function startCodecServerProcess(env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<CodecServerProcess> {
  const port = await freePort();
  const [executable = '', ...args] = CLI_FROM_SOURCE.argv;
  const child = spawn(executable, [...args, 'codec-server', '--port', String(port), ...extraArgs], { cwd: CLI_FROM_SOURCE.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => child.exitCode === null && (await fetch(`${url}/healthz`)).ok, `the codec server on ${url}`, 60_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../harness/repository-files';
import { parseManifests, type KubeObject } from './manifests';

export const DEPLOY_SCRIPT = join(REPOSITORY_ROOT, 'deploy.sh');

export interface DeployRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The commands deploy.sh printed (`+ ...` lines), without the `+ `. */
  commands: string[];
  /** The manifests a dry run printed, parsed. */
  rendered: KubeObject[];
  /** Every invocation of the docker and kubectl stubs, as their argument lines. */
  calls: { docker: string[]; kubectl: string[] };
}

/** Where `name` is on PATH, or undefined when it is not installed. */
export function commandPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/**
 * Runs deploy.sh with DOCKER and KUBECTL pointing at stubs that record every call. The docker stub
 * fails; the kubectl stub runs the real kubectl for `kustomize` (local rendering) and fails for
 * anything else, so a command that would reach a registry or a cluster shows up in `calls`.
 */
export function runDeployScript(args: string[], env: Record<string, string> = {}): DeployRun {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-sh-'));
  const log = (tool: string) => join(dir, `${tool}.calls`);
  const kubectl = commandPath('kubectl');
  writeStub(join(dir, 'docker'), `printf '%s\\n' "$*" >> '${log('docker')}'\nexit 97`);
  writeStub(
    join(dir, 'kubectl'),
    `printf '%s\\n' "$*" >> '${log('kubectl')}'\n[ "$1" = kustomize ] && exec '${kubectl ?? 'kubectl-not-installed'}' "$@"\nexit 98`,
  );
  const result = spawnSync('bash', [DEPLOY_SCRIPT, ...args], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER: join(dir, 'docker'), KUBECTL: join(dir, 'kubectl'), ...env },
  });
  const calls = { docker: readCalls(log('docker')), kubectl: readCalls(log('kubectl')) };
  rmSync(dir, { recursive: true, force: true });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    commands: result.stdout.split('\n').filter((line) => line.startsWith('+ ')).map((line) => line.slice(2)),
    rendered: renderedManifests(result.stdout),
    calls,
  };
}

function writeStub(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function readCalls(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function renderedManifests(stdout: string): KubeObject[] {
  const match = /^# --- rendered manifests .*\n([\s\S]*?)^# --- end of rendered manifests ---$/m.exec(stdout);
  return match ? parseManifests(match[1]!, 'rendered manifests') : [];
}

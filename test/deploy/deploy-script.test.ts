import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { REPOSITORY_ROOT } from '../harness/repository-files';
import { commandPath, DEPLOY_SCRIPT, runDeployScript, type DeployRun } from './support/deploy-script';
import { readKustomization, schemaProblem } from './support/manifests';

const { namespace, images } = readKustomization();
const image = images[0]!.newName;
const TAG = 'v1.2.3-test';
const shellcheck = commandPath('shellcheck');

/** The index of the first printed command matching `pattern`; fails the test when there is none. */
function position(run: DeployRun, pattern: RegExp): number {
  const index = run.commands.findIndex((command) => pattern.test(command));
  if (index < 0) throw new Error(`no command matches ${pattern}:\n${run.commands.join('\n')}`);
  return index;
}

describe('deploy.sh', () => {
  it('passes bash -n', () => {
    expect(spawnSync('bash', ['-n', DEPLOY_SCRIPT], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
  });

  (shellcheck ? it : it.skip)('passes shellcheck (run when shellcheck is installed)', () => {
    expect(() => execFileSync(shellcheck!, [DEPLOY_SCRIPT], { encoding: 'utf8' })).not.toThrow();
  });

  it('prints its usage with every command; without a command it exits 64', () => {
    const help = runDeployScript(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['build', 'push', 'migrate', 'apply', 'status', 'rollback', '--dry-run']) expect(help.stdout).toContain(`  ${command}`);
    const bare = runDeployScript([]);
    expect(bare.status).toBe(64);
    expect(bare.stderr).toContain('Usage: ./deploy.sh');
  });

  it('says clearly when docker or kubectl is missing', () => {
    const noDocker = runDeployScript(['--tag', TAG, 'build'], { DOCKER: 'docker-not-here' });
    expect(noDocker.status).toBe(69);
    expect(noDocker.stderr).toMatch(/docker-not-here is not installed or not on PATH: build and push need Docker/);
    const noKubectl = runDeployScript(['status'], { KUBECTL: 'kubectl-not-here' });
    expect(noKubectl.status).toBe(69);
    expect(noKubectl.stderr).toMatch(/kubectl-not-here is not installed or not on PATH: rendering and deploying need kubectl/);
  });

  describe('--dry-run release', () => {
    let run: DeployRun;
    beforeAll(() => {
      expect(commandPath('kubectl')).toBeDefined(); // renders with `kubectl kustomize`, which is local
      run = runDeployScript(['--dry-run', '--tag', TAG, 'release']);
    });

    it('succeeds, touching neither a registry nor a cluster: the only tool call is `kubectl kustomize`', () => {
      expect(run.stderr).not.toMatch(/deploy\.sh:/);
      expect(run.status).toBe(0);
      expect(run.calls.docker).toEqual([]);
      expect(run.calls.kubectl).toHaveLength(1);
      expect(run.calls.kubectl[0]).toMatch(/^kustomize /);
    });

    it('prints build and push of IMAGE:TAG, then the migration Job and its wait, then the rollout', () => {
      const ref = `${image}:${TAG}`;
      const order = [
        position(run, new RegExp(`^\\S+docker build --file ${REPOSITORY_ROOT}/Dockerfile --tag ${ref} ${REPOSITORY_ROOT}$`)),
        position(run, new RegExp(`^\\S+docker push ${ref}$`)),
        position(run, /kubectl --namespace \S+ get secret /),
        position(run, /kubectl kustomize /),
        position(run, /apply --filename \S+ --selector 'app\.kubernetes\.io\/component in \(config,network-policy\)'$/),
        position(run, /delete job tenant-workflows-migrate --ignore-not-found/),
        position(run, /apply --filename \S+ --selector app\.kubernetes\.io\/component=migration$/),
        position(run, /get job tenant-workflows-migrate --output 'jsonpath=/),
        position(run, /logs job\/tenant-workflows-migrate$/),
        position(run, /apply --filename \S+ --selector 'app\.kubernetes\.io\/component!=migration'$/),
        position(run, /rollout status deployment\/tenant-workflows --timeout=300s$/),
      ];
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('runs every cluster command in the namespace of k8s/kustomization.yaml', () => {
      const clusterCommands = run.commands.filter((command) => /kubectl /.test(command) && !/kubectl kustomize /.test(command));
      expect(clusterCommands.length).toBeGreaterThan(5);
      expect(clusterCommands.filter((command) => !command.includes(`kubectl --namespace ${namespace} `))).toEqual([]);
    });

    it('prints the rendered manifests: valid, in that namespace, every container on IMAGE:TAG', () => {
      expect(run.rendered.map((object) => object.kind).sort()).toEqual(
        ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'Namespace', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Service', 'ServiceAccount'],
      );
      expect(run.rendered.filter((object) => schemaProblem(object))).toEqual([]);
      for (const object of run.rendered) expect(object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace).toBe(namespace);
      const images = [...run.stdout.matchAll(/^\s+image: (\S+)$/gm)].map(([, ref]) => ref);
      // The migration Job, the codec server and the worker.
      expect(images).toEqual([`${image}:${TAG}`, `${image}:${TAG}`, `${image}:${TAG}`]);
      // The generated ConfigMap's hashed name, and the migration Job's and the worker's envFrom naming it.
      const configMap = run.rendered.find((object) => object.kind === 'ConfigMap')!.metadata.name;
      expect(configMap).toMatch(/^tenant-workflows-config-[a-z0-9]{10}$/);
      expect(run.stdout.match(new RegExp(`^\\s+name: ${configMap}$`, 'gm'))).toHaveLength(3);
    });

    it('leaves no temporary render directory behind', () => {
      expect(readdirSync(REPOSITORY_ROOT).filter((name) => name.startsWith('.deploy-render.'))).toEqual([]);
    });
  });

  it('--dry-run rollback prints the undo, to a given revision, and waits for it', () => {
    const previous = runDeployScript(['--dry-run', 'rollback']);
    expect(previous.status).toBe(0);
    expect(previous.commands.map((c) => c.replace(/^\S+kubectl /, 'kubectl '))).toEqual([
      `kubectl --namespace ${namespace} rollout undo deployment/tenant-workflows`,
      `kubectl --namespace ${namespace} rollout status deployment/tenant-workflows --timeout=300s`,
    ]);
    expect(runDeployScript(['--dry-run', 'rollback', '3']).commands[0]).toMatch(/rollout undo deployment\/tenant-workflows --to-revision=3$/);
    expect(runDeployScript(['--dry-run', 'rollback', 'three']).status).toBe(64);
    expect(previous.calls).toEqual({ docker: [], kubectl: [] });
  });

  it('builds on the Dockerfile\'s base image, or on NODE_IMAGE (a digest pin) when given', () => {
    const pinned = 'node:24-bookworm-slim@sha256:' + '0'.repeat(64);
    expect(runDeployScript(['--dry-run', '--tag', TAG, 'build']).commands[0]).not.toContain('--build-arg');
    expect(runDeployScript(['--dry-run', '--tag', TAG, 'build'], { NODE_IMAGE: pinned }).commands[0]).toMatch(new RegExp(`docker build --build-arg NODE_IMAGE=${pinned} --file `));
    expect(runDeployScript(['--help']).stdout).toContain('NODE_IMAGE');
  });

  it('tags the image with the current git commit by default and refuses an invalid tag', () => {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' }).trim();
    expect(runDeployScript(['--dry-run', 'push']).commands).toEqual([expect.stringMatching(new RegExp(`docker push ${image}:${commit}$`))]);
    const invalid = runDeployScript(['--dry-run', '--tag', 'not a tag', 'push']);
    expect(invalid.status).toBe(64);
    expect(invalid.stderr).toContain("'not a tag' is not a valid image tag");
  });
});

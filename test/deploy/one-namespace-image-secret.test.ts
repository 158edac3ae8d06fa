import { secretFileNames } from './support/config-variables';
import { runDeployScript } from './support/deploy-script';
import { readmeSection } from './support/docs';
import { manifest, manifestFiles, onlyContainer, parseManifests, readKustomization, rendered, secretFilesAt, type IConfigMap, type IDeployment, type IJob, type ISecret } from './support/manifests';
import { readRepositoryFile } from '../harness/repository-files';

const kustomization = readKustomization();
const namespace = kustomization.namespace;
const workloads = [manifest<IDeployment>('k8s/deployment.yaml', 'Deployment'), manifest<IJob>('k8s/migration-job.yaml', 'Job')];
const exampleSecret = manifest<ISecret>('k8s/secret.example.yaml', 'Secret');
const deployment = readmeSection('Deployment');
const dryRun = runDeployScript(['--dry-run', '--tag', 'consistency', 'migrate']);

describe('one namespace, one image and one set of secret keys', () => {
  it('namespace: k8s/kustomization.yaml names it; the Namespace, the manifests, deploy.sh and the README use it', () => {
    expect(manifest<{ metadata: { name: string } }>('k8s/namespace.yaml', 'Namespace').metadata.name).toBe(namespace);
    const elsewhere = manifestFiles().flatMap((file) => parseManifests(readRepositoryFile(file), file)).filter((o) => o.metadata.namespace !== undefined);
    expect(elsewhere).toEqual([]);
    expect(dryRun.commands.filter((c) => c.includes(' --namespace ')).every((c) => c.includes(` --namespace ${namespace} `))).toBe(true);
    const readmeNamespaces = [...deployment.matchAll(/(?:--namespace|create namespace) (\S+)/g)].map(([, name]) => name);
    expect(readmeNamespaces.length).toBeGreaterThan(2);
    expect(new Set(readmeNamespaces)).toEqual(new Set([namespace]));
  });

  it('image: every container names the one image kustomization.yaml maps to IMAGE, which deploy.sh renders', () => {
    expect(kustomization.images).toHaveLength(1);
    for (const workload of workloads) expect(onlyContainer(workload).image).toBe(kustomization.images[0]!.name);
    expect(dryRun.stdout).toContain(`image: ${kustomization.images[0]!.newName}:consistency`);
  });

  it('names: deploy.sh runs the Job and waits for the Deployment that the manifests define', () => {
    const [worker, job] = workloads;
    expect(dryRun.commands).toContainEqual(expect.stringContaining(`delete job ${job!.metadata?.name} `));
    const rollback = runDeployScript(['--dry-run', 'rollback']);
    expect(rollback.commands).toContainEqual(expect.stringContaining(`rollout undo deployment/${worker!.metadata?.name}`));
  });

  it('secret: the pods, the example, deploy.sh and the README name one Secret with the keys the config reads', () => {
    const name = exampleSecret.metadata?.name;
    for (const workload of workloads) {
      const files = secretFilesAt(workload, rendered<IConfigMap>('ConfigMap').data?.SECRETS_DIR);
      expect(new Set(files.map((file) => file.secretName))).toEqual(new Set([name]));
      expect(files.filter((file) => !file.optional).map((file) => file.key).sort()).toEqual(secretFileNames());
    }
    expect(Object.keys(exampleSecret.stringData ?? {}).sort()).toEqual(secretFileNames());
    expect(dryRun.commands).toContainEqual(expect.stringContaining(`get secret ${name} `));
    expect(dryRun.stderr).toContain(`checking secret/${name} has the keys ${secretFileNames().join(' ')}`);
    for (const [command] of deployment.matchAll(/create secret generic \S+[^\n]*\\\n[^\n]*/g)) {
      expect(command).toContain(`create secret generic ${name} `);
      expect([...command.matchAll(/--from-file=(\S+)/g)].map(([, key]) => key).sort()).toEqual(secretFileNames());
    }
    expect(deployment.match(/create secret generic/g)).toHaveLength(2);
  });
});

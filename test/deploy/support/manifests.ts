import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer as Container } from 'kubernetes-models/v1/Container';
import type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { parse, parseAllDocuments } from 'yaml';
import { readRepositoryFile, REPOSITORY_ROOT } from '../../harness/repository-files';

export type { Container, PodSpec, IService, INetworkPolicy, IConfigMap, IDeployment, IJob, IPodDisruptionBudget, IHorizontalPodAutoscaler, ISecret };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface Kustomization {
  namespace: string;
  images: { name: string; newName: string; newTag: string }[];
  resources: string[];
}

/** The kinds our manifests use, each with the kubernetes-models class whose validate() checks it against the API schema. */
const MODELS: Record<string, (data: never) => { validate(): void }> = {
  'v1/Namespace': (data) => new Namespace(data),
  'v1/ServiceAccount': (data) => new ServiceAccount(data),
  'v1/ConfigMap': (data) => new ConfigMap(data),
  'v1/Secret': (data) => new Secret(data),
  'v1/PersistentVolumeClaim': (data) => new PersistentVolumeClaim(data),
  'apps/v1/Deployment': (data) => new Deployment(data),
  'batch/v1/Job': (data) => new Job(data),
  'policy/v1/PodDisruptionBudget': (data) => new PodDisruptionBudget(data),
  'autoscaling/v2/HorizontalPodAutoscaler': (data) => new HorizontalPodAutoscaler(data),
  'v1/Service': (data) => new Service(data),
  'networking.k8s.io/v1/NetworkPolicy': (data) => new NetworkPolicy(data),
};

/** Why the object does not validate against its Kubernetes API schema, or undefined when it does. */
export function schemaProblem(object: KubeObject): string | undefined {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) return `no schema registered for ${object.apiVersion} ${object.kind}: add its kubernetes-models class to MODELS`;
  try {
    model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Every YAML document in `text` (empty ones skipped); throws on a YAML syntax error, naming `source`. */
export function parseManifests(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`);
    const object = document.toJS() as KubeObject | null;
    return object === null ? [] : [object];
  });
}

/** The manifest files under k8s/, relative to the repository root. */
export function manifestFiles(): string[] {
  return readdirSync(join(REPOSITORY_ROOT, 'k8s'))
    .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
    .map((name) => `k8s/${name}`);
}

/** Every object `kubectl kustomize` renders from `dir` (k8s/ by default), as deploy.sh renders it. */
export function renderKustomization(dir = join(REPOSITORY_ROOT, 'k8s')): KubeObject[] {
  return parseManifests(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }), `kubectl kustomize ${dir}`);
}

let renderedK8s: KubeObject[] | undefined;

/**
 * The one rendered object of `kind` (named `name`, when given): what the cluster gets, with the generated
 * ConfigMap and the references kustomize rewrote to its hashed name.
 */
export function rendered<T>(kind: string, name?: string, objects = (renderedK8s ??= renderKustomization())): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`rendered k8s/: expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as T;
}

export function readKustomization(): Kustomization {
  return parse(readRepositoryFile('k8s/kustomization.yaml')) as Kustomization;
}

/** The one object of `kind` in the k8s/ file `file`. */
export function manifest<T>(file: string, kind: string): T {
  const objects = parseManifests(readRepositoryFile(file), file).filter((o) => o.kind === kind);
  if (objects.length !== 1) throw new Error(`${file}: expected one ${kind}, found ${objects.length}`);
  return objects[0] as T;
}

export function podSpecOf(workload: IDeployment | IJob): PodSpec {
  const spec = workload.spec?.template.spec;
  if (!spec) throw new Error(`${workload.kind} ${workload.metadata?.name} has no pod template`);
  return spec;
}

/** One file of a projected (or plain) Secret volume: which Secret and key it comes from, and whether it may be absent. */
export interface SecretFile {
  secretName: string | undefined;
  key: string;
  path: string;
  optional: boolean;
}

/** The files of the Secret volume the workload mounts at `mountPath`. */
export function secretFilesAt(workload: IDeployment | IJob, mountPath: string | undefined): SecretFile[] {
  const mount = onlyContainer(workload).volumeMounts?.find((m) => m.mountPath === mountPath);
  const volume = podSpecOf(workload).volumes?.find((v) => v.name === mount?.name);
  const sources = volume?.secret ? [{ ...volume.secret, name: volume.secret.secretName }] : (volume?.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret] : []));
  return sources.flatMap((source) => (source.items ?? []).map((item) => ({ secretName: source.name, key: item.key, path: item.path, optional: source.optional === true })));
}

export function onlyContainer(workload: IDeployment | IJob): Container {
  const containers = podSpecOf(workload).containers;
  if (containers.length !== 1) throw new Error(`${workload.kind} ${workload.metadata?.name}: expected one container`);
  return containers[0]!;
}

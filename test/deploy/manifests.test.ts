import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { readRepositoryFile } from '../harness/repository-files';
import {
  manifest,
  manifestFiles,
  onlyContainer,
  parseManifests,
  podSpecOf,
  readKustomization,
  rendered,
  schemaProblem,
  type IConfigMap,
  type IDeployment,
  type IHorizontalPodAutoscaler,
  type IJob,
  type IPodDisruptionBudget,
  type ISecret,
} from './support/manifests';

const deployment = manifest<IDeployment>('k8s/deployment.yaml', 'Deployment');
const job = manifest<IJob>('k8s/migration-job.yaml', 'Job');
const configMap = rendered<IConfigMap>('ConfigMap');
const setting = (name: string) => configMap.data?.[name];
const podLabels = deployment.spec?.template.metadata?.labels;
/** PostgreSQL's default max_connections, less its 3 superuser_reserved_connections. */
const POSTGRES_CONNECTIONS = 100 - 3;

describe('k8s/ manifests', () => {
  it.each(manifestFiles())('%s parses and validates against the Kubernetes API schemas', (file) => {
    const objects = parseManifests(readRepositoryFile(file), file);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.map((object) => [object.kind, schemaProblem(object)])).toEqual(objects.map((object) => [object.kind, undefined]));
  });

  it('the schema check rejects a broken manifest (it can fail)', () => {
    const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'eighty';
    expect(schemaProblem(broken as never)).toMatch(/containerPort must be integer/);
    expect(schemaProblem({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toMatch(/no schema registered/);
  });

  it('kustomization.yaml lists every manifest but the example Secret', () => {
    const listed = readKustomization().resources.map((resource) => `k8s/${resource}`).sort();
    expect(listed).toEqual(manifestFiles().filter((file) => file !== 'k8s/secret.example.yaml').sort());
  });
});

describe('the worker Deployment', () => {
  const pod = podSpecOf(deployment);
  const container = onlyContainer(deployment);
  const port = container.ports?.find((p) => p.name === 'metrics');

  it('runs `tenant-workflows worker`, its replica count left to the autoscaler, rolling without losing a ready worker', () => {
    // A replicas field would reset the autoscaler's count on every `kubectl apply`.
    expect(deployment.spec?.replicas).toBeUndefined();
    expect(container.args).toEqual(['worker']);
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(deployment.spec?.selector.matchLabels).toEqual(podLabels);
  });

  it('probes liveness on /healthz and readiness on /readyz, at HTTP_PORT', () => {
    expect(port?.containerPort).toBe(Number(setting('HTTP_PORT')));
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
  });

  it('names the metrics port and annotates the pods for Prometheus scraping', () => {
    expect(deployment.spec?.template.metadata?.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(port?.containerPort),
      'prometheus.io/path': '/metrics',
    });
  });

  it('lets in-flight activities finish: terminationGracePeriodSeconds exceeds SHUTDOWN_GRACE_MS with room to close', () => {
    const graceSeconds = Number(setting('SHUTDOWN_GRACE_MS')) / 1000;
    expect(graceSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(graceSeconds + 15);
  });

  it('sets requests and limits for CPU and memory', () => {
    for (const bound of [container.resources?.requests, container.resources?.limits]) {
      expect(Object.keys(bound ?? {}).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('runs under a restricted security context with a writable /tmp and EXPORT_DIR only', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number), seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const writable = (container.volumeMounts ?? []).filter((mount) => !mount.readOnly);
    expect(writable.map((mount) => mount.mountPath)).toEqual(['/tmp', configMap.data?.EXPORT_DIR]);
    expect(pod.volumes?.find((volume) => volume.name === writable[0]?.name)?.emptyDir).toBeDefined();
    // The archives of offboarding: a claim every replica shares (ReadWriteMany), so another pod resumes an export.
    const claimName = pod.volumes?.find((volume) => volume.name === writable[1]?.name)?.persistentVolumeClaim?.claimName;
    const claim = manifest<{ metadata?: { name?: string }; spec?: { accessModes?: string[] } }>('k8s/export-volume.yaml', 'PersistentVolumeClaim');
    expect(claimName).toBe(claim.metadata?.name);
    expect(claim.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(pod.automountServiceAccountToken).toBe(false);
  });
});

describe('the migration Job', () => {
  it('runs `tenant-workflows migrate` once, without restarting in place', () => {
    expect(onlyContainer(job).args).toEqual(['migrate']);
    expect(podSpecOf(job).restartPolicy).toBe('Never');
    expect(job.spec?.backoffLimit).toBeLessThanOrEqual(3);
    expect(job.spec?.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  it('uses the worker\'s image, configuration, secrets and security context', () => {
    const worker = onlyContainer(deployment);
    const migrate = onlyContainer(job);
    expect(migrate.image).toBe(worker.image);
    expect(migrate.envFrom).toEqual(worker.envFrom);
    expect(migrate.env).toEqual(worker.env);
    expect(migrate.securityContext).toEqual(worker.securityContext);
    expect(migrate.volumeMounts).toEqual(worker.volumeMounts);
    expect(podSpecOf(job).volumes).toEqual(podSpecOf(deployment).volumes);
    expect(podSpecOf(job).securityContext).toEqual(podSpecOf(deployment).securityContext);
    expect(podSpecOf(job).serviceAccountName).toBe(podSpecOf(deployment).serviceAccountName);
  });
});

describe('the PodDisruptionBudget and the HorizontalPodAutoscaler', () => {
  const budget = manifest<IPodDisruptionBudget>('k8s/pod-disruption-budget.yaml', 'PodDisruptionBudget');
  const autoscaler = manifest<IHorizontalPodAutoscaler>('k8s/horizontal-pod-autoscaler.yaml', 'HorizontalPodAutoscaler');

  it('cover the worker pods: the budget lets a drain take one at a time, never blocking it', () => {
    expect(budget.spec?.selector?.matchLabels).toEqual(podLabels);
    expect(budget.spec?.maxUnavailable).toBe(1);
    expect(autoscaler.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    expect(autoscaler.spec?.minReplicas).toBe(2);
  });

  it('keep every replica\'s pool plus the migration Job\'s within PostgreSQL\'s default connections', () => {
    const poolMax = Number(setting('DB_POOL_MAX'));
    expect(poolMax).toBeGreaterThan(0);
    expect(Number(setting('WORKER_MAX_CONCURRENT_ACTIVITIES'))).toBeLessThanOrEqual(poolMax);
    expect(autoscaler.spec!.maxReplicas * poolMax + poolMax).toBeLessThanOrEqual(POSTGRES_CONNECTIONS);
  });
});

describe('the example Secret', () => {
  const secret = manifest<ISecret>('k8s/secret.example.yaml', 'Secret');

  it('holds obvious placeholders only, which the config refuses as a payload key', () => {
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toMatch(/^REPLACE_ME/);
    const secretsDir = mkdtempSync(join(tmpdir(), 'example-secret-'));
    for (const [file, value] of Object.entries(secret.stringData ?? {})) writeFileSync(join(secretsDir, file), value);
    try {
      expect(() => loadConfig({ SECRETS_DIR: secretsDir })).toThrow(/PAYLOAD_ENCRYPTION_KEYS: entry 1 is not/);
    } finally {
      rmSync(secretsDir, { recursive: true });
    }
  });
});

import { readRepositoryFile } from '../harness/repository-files';
import { allows, namespaceOfServiceHost, type Connection, type Endpoint } from './support/network-policy';
import { onlyContainer, parseManifests, readKustomization, rendered, renderKustomization, type IConfigMap, type IDeployment, type IJob, type INetworkPolicy, type KubeObject } from './support/manifests';

const objects = renderKustomization();
const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as INetworkPolicy[];
const ours = parseManifests(readRepositoryFile('k8s/network-policy.yaml'), 'k8s/network-policy.yaml');
const settings = rendered<IConfigMap>('ConfigMap', undefined, objects).data ?? {};
const worker = rendered<IDeployment>('Deployment', 'tenant-workflows', objects);
const namespace = readKustomization().namespace;
const pod = (workload: IDeployment | IJob): Endpoint => ({ namespace, pod: workload.spec?.template.metadata?.labels ?? {} });
const workerPod = pod(worker);
const migrationPod = pod(rendered<IJob>('Job', undefined, objects));
const codecPod = pod(rendered<IDeployment>('Deployment', 'tenant-workflows-codec', objects));

const tcp = (port: number): Connection => ({ port, protocol: 'TCP' });
const [temporalHost = '', temporalPort = ''] = (settings.TEMPORAL_ADDRESS ?? '').split(':');
const postgres: Endpoint = { namespace: namespaceOfServiceHost(settings.DB_HOST ?? ''), pod: { 'app.kubernetes.io/name': 'postgresql' } };
const temporalFrontend: Endpoint = { namespace: namespaceOfServiceHost(temporalHost), pod: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/component': 'frontend' } };
const dns: Endpoint = { namespace: 'kube-system', pod: { 'k8s-app': 'kube-dns' } };
const scraper: Endpoint = { namespace: 'monitoring', pod: { 'app.kubernetes.io/name': 'prometheus' } };
const elsewhere: Endpoint = { namespace: 'somewhere-else', pod: { app: 'anything' } };
const metricsPort = onlyContainer(worker).ports?.find((p) => p.name === 'metrics');
const metrics: Connection = { port: metricsPort?.containerPort ?? -1, portName: 'metrics', protocol: 'TCP' };

// Function of the policies, so the "it can fail" case runs the same checks on a broken copy.
const dbReachable = (from: Endpoint, set = policies) => allows(set, 'Egress', from, postgres, tcp(Number(settings.DB_PORT)));
const dnsReachable = (from: Endpoint) => (['UDP', 'TCP'] as const).every((protocol) => allows(policies, 'Egress', from, dns, { port: 53, protocol }));

describe('k8s/network-policy.yaml', () => {
  it('holds the NetworkPolicies of the worker and the migration Job, listed in the kustomization', () => {
    expect(ours.map((o: KubeObject) => `${o.kind}/${o.metadata.name}`)).toEqual(['NetworkPolicy/tenant-workflows-database', 'NetworkPolicy/tenant-workflows-worker']);
    expect(readKustomization().resources).toContain('network-policy.yaml');
    expect(Number(temporalPort)).toBeGreaterThan(0);
    expect(metrics.port).toBe(Number(settings.HTTP_PORT));
  });

  it('let the worker reach DNS, PostgreSQL (or PgBouncer) at DB_PORT and the Temporal frontend at TEMPORAL_ADDRESS\'s port', () => {
    expect(dnsReachable(workerPod)).toBe(true);
    expect(dbReachable(workerPod)).toBe(true);
    expect(allows(policies, 'Egress', workerPod, temporalFrontend, tcp(Number(temporalPort)))).toBe(true);
  });

  it('let the worker reach nothing else: not another port of those, not another destination', () => {
    expect(allows(policies, 'Egress', workerPod, postgres, tcp(Number(settings.DB_PORT) + 1))).toBe(false);
    expect(allows(policies, 'Egress', workerPod, { ...temporalFrontend, pod: { 'app.kubernetes.io/component': 'history' } }, tcp(Number(temporalPort)))).toBe(false);
    expect(allows(policies, 'Egress', workerPod, elsewhere, tcp(443))).toBe(false);
  });

  it('admit only the metrics scraper, on the worker\'s metrics port (/metrics, /healthz, /readyz)', () => {
    expect(allows(policies, 'Ingress', workerPod, scraper, metrics)).toBe(true);
    expect(allows(policies, 'Ingress', workerPod, scraper, tcp(22))).toBe(false);
    expect(allows(policies, 'Ingress', workerPod, elsewhere, metrics)).toBe(false);
    expect(allows(policies, 'Ingress', workerPod, { namespace, pod: {} }, metrics)).toBe(false);
  });

  it('let the migration Job reach DNS and PostgreSQL only, and nothing reach it', () => {
    expect(dnsReachable(migrationPod)).toBe(true);
    expect(dbReachable(migrationPod)).toBe(true);
    expect(allows(policies, 'Egress', migrationPod, temporalFrontend, tcp(Number(temporalPort)))).toBe(false);
    expect(allows(policies, 'Ingress', migrationPod, scraper, metrics)).toBe(false);
  });

  it('leave the codec server to its own policy: no database, no DNS, no Temporal', () => {
    expect(dbReachable(codecPod)).toBe(false);
    expect(allows(policies, 'Egress', codecPod, dns, { port: 53, protocol: 'UDP' })).toBe(false);
    expect(allows(policies, 'Egress', codecPod, temporalFrontend, tcp(Number(temporalPort)))).toBe(false);
  });

  it('the check can fail: with the database rule on another port, PostgreSQL is blocked', () => {
    const broken = structuredClone(policies);
    const databaseRule = broken.find((p) => p.metadata?.name === 'tenant-workflows-database')!.spec!.egress!.find((rule) => rule.ports?.some((p) => p.port === Number(settings.DB_PORT)))!;
    databaseRule.ports = [{ port: 6543, protocol: 'TCP' }];
    expect(dbReachable(workerPod, broken)).toBe(false);
    expect(dbReachable(workerPod)).toBe(true);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodecServerConfig } from '../../src/config/codec-server';
import { readRepositoryFile } from '../harness/repository-files';
import { onlyContainer, parseManifests, podSpecOf, readKustomization, type IDeployment, type INetworkPolicy, type IService } from './support/manifests';

const objects = parseManifests(readRepositoryFile('k8s/codec-server.yaml'), 'k8s/codec-server.yaml');
const one = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
const [deployment] = one<IDeployment>('Deployment');
const [service] = one<IService>('Service');
const [policy] = one<INetworkPolicy>('NetworkPolicy');
const container = onlyContainer(deployment!);
const podLabels = deployment!.spec?.template.metadata?.labels;
const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));

describe('k8s/codec-server.yaml', () => {
  it('holds one Deployment, one Service and one NetworkPolicy, listed in the kustomization', () => {
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'NetworkPolicy']);
    expect(readKustomization().resources).toContain('codec-server.yaml');
  });

  it('runs `tenant-workflows codec-server` from the one image, probed on /healthz at its port', () => {
    expect(container.image).toBe(readKustomization().images[0]!.name);
    expect(container.args).toEqual(['codec-server']);
    const port = container.ports?.find((p) => p.name === 'codec');
    expect(port?.containerPort).toBe(Number(env.CODEC_SERVER_PORT));
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'codec' });
  });

  it('mounts the payload keys and the bearer token, and no database password', () => {
    const mount = container.volumeMounts?.find((m) => m.mountPath === env.SECRETS_DIR);
    const volume = podSpecOf(deployment!).volumes?.find((v) => v.name === mount?.name);
    const files = (volume?.projected?.sources ?? []).flatMap((s) => (s.secret?.items ?? []).map((i) => i.path)).sort();
    expect(files).toEqual(['codec_auth_token', 'payload_encryption_keys']);
    expect(mount?.readOnly).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('starts with its environment and those secret files (the config accepts it), with a CORS origin that is not *', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'codec-secrets-'));
    try {
      writeFileSync(join(secrets, 'payload_encryption_keys'), `k1:${randomBytes(32).toString('base64')}`);
      writeFileSync(join(secrets, 'codec_auth_token'), randomBytes(32).toString('hex'));
      const config = loadCodecServerConfig({ ...env, SECRETS_DIR: secrets });
      expect(config.port).toBe(8888);
      expect(config.corsOrigins.length).toBeGreaterThan(0);
      expect(config.corsOrigins).not.toContain('*');
    } finally {
      rmSync(secrets, { recursive: true });
    }
  });

  it('the Service selects the codec pods (not the workers) on the codec port', () => {
    expect(service!.spec?.selector).toEqual(podLabels);
    expect(podLabels?.['app.kubernetes.io/component']).toBe('codec-server');
    expect(service!.spec?.ports?.map((p) => p.targetPort)).toEqual(['codec']);
    expect(service!.spec?.type).toBe('ClusterIP');
  });

  it('the NetworkPolicy admits only the Temporal UI and its ingress, on the codec port, and lets the pods call nothing', () => {
    expect(policy!.spec?.podSelector.matchLabels).toEqual(podLabels);
    expect(policy!.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy!.spec?.egress).toEqual([]);
    expect(policy!.spec?.ingress).toHaveLength(1);
    const [rule] = policy!.spec!.ingress!;
    expect(rule!.ports).toEqual([{ port: 'codec', protocol: 'TCP' }]);
    // Every peer is narrowed by a selector: none is "anyone" (an empty peer or an ipBlock of 0.0.0.0/0).
    for (const peer of rule!.from ?? []) {
      expect(peer.ipBlock).toBeUndefined();
      expect(Object.keys(peer.namespaceSelector?.matchLabels ?? {}).length + Object.keys(peer.podSelector?.matchLabels ?? {}).length).toBeGreaterThan(0);
    }
  });
});

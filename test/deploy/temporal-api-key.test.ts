import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalConnectConfig } from '../../src/temporal/connection-options';
import { readRepositoryFile } from '../harness/repository-files';
import { readmeSection } from './support/docs';
import { manifest, rendered, secretFilesAt, type IConfigMap, type IDeployment, type IJob, type ISecret } from './support/manifests';

const secretsDir = rendered<IConfigMap>('ConfigMap').data?.SECRETS_DIR;
const secretName = manifest<ISecret>('k8s/secret.example.yaml', 'Secret').metadata?.name;

/** The connection the worker would open with `files` in SECRETS_DIR and the environment `env`. */
function connectWith(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-secrets-'));
  try {
    for (const [file, value] of Object.entries(files)) writeFileSync(join(dir, file), value);
    return temporalConnectConfig({ ...env, SECRETS_DIR: dir }).connectionOptions;
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('TEMPORAL_API_KEY comes from the Secret, never the ConfigMap', () => {
  it('the worker and the migration Job mount the key temporal_api_key of the Secret in SECRETS_DIR, optionally', () => {
    for (const workload of [manifest<IDeployment>('k8s/deployment.yaml', 'Deployment'), manifest<IJob>('k8s/migration-job.yaml', 'Job')]) {
      expect(secretFilesAt(workload, secretsDir)).toContainEqual({ secretName, key: 'temporal_api_key', path: 'temporal_api_key', optional: true });
    }
  });

  it('the worker\'s connection takes it from that file, with TLS as the SDK turns on for an API key; the file wins over the variable', () => {
    const fromFile = connectWith({ temporal_api_key: 'key-from-the-secret\n' }, { TEMPORAL_API_KEY: 'key-from-the-environment' });
    expect(fromFile.apiKey).toBe('key-from-the-secret');
    expect(fromFile.tls).toBeTruthy();
    expect(connectWith({}).apiKey).toBeUndefined();
  });

  it('config.env, the example Secret and the README say so', () => {
    expect(readRepositoryFile('k8s/config.env')).not.toMatch(/^TEMPORAL_API_KEY=/m);
    expect(readRepositoryFile('k8s/secret.example.yaml')).toMatch(/^ {2}# temporal_api_key: REPLACE_ME/m);
    expect(readmeSection('Deployment')).toContain('--from-file=temporal_api_key');
  });
});

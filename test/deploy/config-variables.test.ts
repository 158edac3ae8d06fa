import { secretFileName } from '../../src/config';
import { configVariables, isTemporalSdkOptional, temporalSdkVariables, TEMPORAL_CONNECTION_VARIABLES } from './support/config-variables';
import { envExampleNames, readmeSection } from './support/docs';
import { onlyContainer, rendered, secretFilesAt, type Container, type IConfigMap, type IDeployment, type IJob } from './support/manifests';

const variables = configVariables();
// As rendered: the ConfigMap generated from k8s/config.env, and the workloads' envFrom naming it.
const configMap = rendered<IConfigMap>('ConfigMap');
const workloads: [string, IDeployment | IJob][] = [
  ['the worker Deployment', rendered<IDeployment>('Deployment', 'tenant-workflows')],
  ['the migration Job', rendered<IJob>('Job')],
];

/** Variables the container gets from the environment: its ConfigMaps (envFrom) and its env entries. */
function environmentOf(container: Container): Map<string, 'configMap' | 'value' | 'secretKeyRef' | 'other'> {
  const supplied = new Map<string, 'configMap' | 'value' | 'secretKeyRef' | 'other'>();
  for (const source of container.envFrom ?? []) {
    expect(source.configMapRef?.name).toBe(configMap.metadata?.name);
    for (const name of Object.keys(configMap.data ?? {})) supplied.set(name, 'configMap');
  }
  for (const entry of container.env ?? []) {
    supplied.set(entry.name, entry.value !== undefined ? 'value' : entry.valueFrom?.secretKeyRef ? 'secretKeyRef' : 'other');
  }
  return supplied;
}

/** File names the container always finds in SECRETS_DIR: the required items of the Secret volume mounted there. */
function secretFilesOf(workload: IDeployment | IJob, secretsDir: string | undefined): string[] {
  return secretFilesAt(workload, secretsDir).filter((file) => file.key === file.path && !file.optional).map((file) => file.path);
}

describe('the variables the config reads', () => {
  it('are observed from src/config, with the secrets and the optional ones told apart', () => {
    expect(variables.all).toEqual(expect.arrayContaining(['DB_HOST', 'DB_PASSWORD_ADMIN', 'SECRETS_DIR', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_ADDRESS', 'LOG_LEVEL']));
    expect(variables.secrets).toEqual(['DB_PASSWORD_ADMIN', 'DB_PASSWORD_SERVER', 'PAYLOAD_ENCRYPTION_KEYS']);
    expect(variables.optional).toEqual(expect.arrayContaining(['DB_SSL_CA_FILE', 'TEMPORAL_UI_URL']));
    expect(variables.withDefault).not.toContain('DB_SSL_CA_FILE');
    expect(temporalSdkVariables()).toEqual(expect.arrayContaining([...TEMPORAL_CONNECTION_VARIABLES, 'TEMPORAL_API_KEY', 'TEMPORAL_TLS']));
  });

  it('are each documented in the README configuration table', () => {
    const table = readmeSection('Configuration');
    expect(variables.all.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
    for (const sdkOptional of ['`TEMPORAL_API_KEY`', '`TEMPORAL_TLS`', '`TEMPORAL_TLS_*`']) expect(table).toContain(sdkOptional);
  });

  it('are each listed in .env.example, which lists nothing else but the SDK\'s optional TEMPORAL_* settings', () => {
    const listed = envExampleNames();
    expect(variables.all.filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !variables.all.includes(name) && !isTemporalSdkOptional(name))).toEqual([]);
  });
});

// The rule: a variable with a default is stated by the deployment (env or ConfigMap), so what runs in the
// cluster does not depend on a default changing; a secret arrives as a mounted file or a secretKeyRef;
// an optional one (read.optionalString, the SDK's TLS/API-key settings) is supplied only when used.
describe.each(workloads)('%s', (_, workload) => {
  const container = onlyContainer(workload);
  const environment = environmentOf(container);
  const secretsDir = configMap.data?.SECRETS_DIR;

  it('states every variable that has a default', () => {
    expect(variables.withDefault.filter((name) => !environment.has(name))).toEqual([]);
  });

  it('supplies every secret as a file in SECRETS_DIR or through a secretKeyRef', () => {
    const files = secretFilesOf(workload, secretsDir);
    const missing = variables.secrets.filter((name) => !files.includes(secretFileName(name)) && environment.get(name) !== 'secretKeyRef');
    expect(missing).toEqual([]);
  });

  it('supplies no variable the config and the Temporal SDK do not read', () => {
    const unread = [...environment.keys()].filter((name) => !variables.all.includes(name) && !isTemporalSdkOptional(name));
    expect(unread).toEqual([]);
  });

  it('passes no secret as a plain value: not in the ConfigMap, not as an env value', () => {
    const plain = [...environment].filter(([name, from]) => (variables.secrets.includes(name) || /PASSWORD|API_KEY|_KEYS?$/.test(name)) && from !== 'secretKeyRef');
    expect(plain).toEqual([]);
  });
});

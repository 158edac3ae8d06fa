import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { REPOSITORY_ROOT } from '../harness/repository-files';
import { configVariables } from './support/config-variables';
import { onlyContainer, rendered, renderKustomization, type IConfigMap, type IDeployment, type IJob, type KubeObject } from './support/manifests';

const BASE_NAME = 'tenant-workflows-config';

/** The ConfigMap's name and the names the worker and the migration Job take their environment from. */
function configReferences(objects?: KubeObject[]) {
  const workloads = [rendered<IDeployment>('Deployment', 'tenant-workflows', objects), rendered<IJob>('Job', undefined, objects)];
  return {
    configMap: rendered<IConfigMap>('ConfigMap', undefined, objects).metadata?.name,
    referenced: workloads.map((workload) => onlyContainer(workload).envFrom?.map((source) => source.configMapRef?.name)),
  };
}

/** k8s/ rendered through an overlay that changes one value of the generated ConfigMap, as an operator's edit would. */
function renderWithChangedValue(name: string, value: string): KubeObject[] {
  const overlay = mkdtempSync(join(tmpdir(), 'k8s-overlay-'));
  try {
    writeFileSync(join(overlay, 'kustomization.yaml'), stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      // kustomize refuses an absolute path here.
      resources: [relative(overlay, join(REPOSITORY_ROOT, 'k8s'))],
      configMapGenerator: [{ name: BASE_NAME, behavior: 'merge', literals: [`${name}=${value}`] }],
    }));
    return renderKustomization(overlay);
  } finally {
    rmSync(overlay, { recursive: true });
  }
}

describe('the ConfigMap generated from k8s/config.env', () => {
  const configMap = rendered<IConfigMap>('ConfigMap');

  it('is named after its content, and the worker and the migration Job take their environment from that name', () => {
    const { configMap: name, referenced } = configReferences();
    expect(name).toMatch(new RegExp(`^${BASE_NAME}-[a-z0-9]{10}$`));
    expect(referenced).toEqual([[name], [name]]);
  });

  it('carries the labels deploy.sh applies it by, and the values without the file\'s comments', () => {
    expect(configMap.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'tenant-workflows', 'app.kubernetes.io/component': 'config' });
    expect(configMap.data).toMatchObject({ DB_PORT: '5432', HTTP_PORT: '8080', TEMPORAL_TASK_QUEUE: 'tenant-workflows' });
    expect(Object.keys(configMap.data ?? {}).filter((key) => !/^[A-Z][A-Z0-9_]*$/.test(key))).toEqual([]);
    expect(Object.keys(configMap.data ?? {}).filter((key) => configVariables().secrets.includes(key) || key === 'TEMPORAL_API_KEY')).toEqual([]);
  });

  it('gets a new name when a value changes, which the pod templates follow, so the Deployment rolls', () => {
    const before = configReferences();
    const after = configReferences(renderWithChangedValue('LOG_LEVEL', configMap.data?.LOG_LEVEL === 'debug' ? 'info' : 'debug'));
    expect(after.configMap).not.toBe(before.configMap);
    expect(after.referenced).toEqual([[after.configMap], [after.configMap]]);
  });
});

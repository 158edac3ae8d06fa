import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject' with { 'resolution-mode': 'import' };
import { parse } from 'yaml';
import { readRepositoryFile } from '../harness/repository-files';
import { manifest, parseManifests, rendered, type IConfigMap, type IDeployment, type IHorizontalPodAutoscaler } from './support/manifests';

/** k8s/keda: KEDA's Temporal scaler on the task-queue backlog, validated against KEDA's CRD schema (@kubernetes-models/keda). */
const objects = parseManifests(readRepositoryFile('k8s/keda/scaled-object.yaml'), 'k8s/keda/scaled-object.yaml');
const scaled = objects[0] as unknown as IScaledObject;
const deployment = manifest<IDeployment>('k8s/deployment.yaml', 'Deployment');
const hpa = manifest<IHorizontalPodAutoscaler>('k8s/horizontal-pod-autoscaler.yaml', 'HorizontalPodAutoscaler');
const configMap = rendered<IConfigMap>('ConfigMap');
const trigger = scaled.spec.triggers[0]!;

/** "ok" or the schema error, per object, from @kubernetes-models/keda (an ES module: run as its own program). */
function validate(...candidates: unknown[]): string[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'support/validate-scaled-object.mjs')], { input: JSON.stringify(candidates), encoding: 'utf8' });
  return output.trim().split('\n');
}

describe('the KEDA ScaledObject (k8s/keda)', () => {
  it('is one ScaledObject that validates against KEDA’s schema', () => {
    expect(objects.map((o) => `${o.apiVersion}/${o.kind}`)).toEqual(['keda.sh/v1alpha1/ScaledObject']);
    expect(validate(scaled)).toEqual(['ok']);
  });

  it('the schema check rejects a broken ScaledObject (it can fail)', () => {
    const noTriggerType = { ...scaled, spec: { ...scaled.spec, triggers: [{ metadata: {} }] } };
    const textReplicas = { ...scaled, spec: { ...scaled.spec, maxReplicaCount: 'six' } };
    const [first, second] = validate(noTriggerType, textReplicas);
    expect(first).toMatch(/type/);
    expect(second).toMatch(/maxReplicaCount/);
  });

  it('scales the worker Deployment on the backlog of its Temporal task queue, read from the ConfigMap’s values', () => {
    expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    expect(trigger.type).toBe('temporal');
    expect(trigger.metadata).toMatchObject({
      endpoint: configMap.data?.TEMPORAL_ADDRESS,
      namespace: configMap.data?.TEMPORAL_NAMESPACE,
      taskQueue: configMap.data?.TEMPORAL_TASK_QUEUE,
      targetQueueSize: expect.stringMatching(/^[1-9]\d*$/),
    });
  });

  it('keeps the CPU autoscaler’s replica range, so the connection budget holds with either', () => {
    expect([scaled.spec.minReplicaCount, scaled.spec.maxReplicaCount]).toEqual([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]);
    expect(scaled.spec.fallback?.replicas).toBeGreaterThanOrEqual(scaled.spec.minReplicaCount ?? 0);
  });

  it('the overlay adds it and deletes the CPU HorizontalPodAutoscaler (two HPAs must not target one Deployment)', () => {
    const overlay = parse(readRepositoryFile('k8s/keda/kustomization.yaml')) as { resources: string[]; patches: { patch: string }[] };
    expect(overlay.resources).toEqual(['..', 'scaled-object.yaml']);
    const deleted = overlay.patches.map((p) => parse(p.patch) as Record<string, unknown>);
    expect(deleted).toEqual([{ $patch: 'delete', apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: hpa.metadata?.name } }]);
  });
});

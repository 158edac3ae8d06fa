import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

export type Labels = Record<string, string>;
type LabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

/** One end of a connection: a pod, by its labels and its namespace's labels. */
export interface Endpoint {
  namespace: string;
  pod: Labels;
}

/** A connection to evaluate: on the destination's port (its number, and its name on the pod when it has one). */
export interface Connection {
  port: number;
  portName?: string;
  protocol: 'TCP' | 'UDP';
}

/** Whether a label selector matches `labels`, as the API server evaluates it (an empty selector matches all). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  const byLabels = Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]!);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

const namespaceLabels = (namespace: string): Labels => ({ 'kubernetes.io/metadata.name': namespace });

/**
 * Whether the policies let `connection` through in `direction` for the pod `subject` (in the policies'
 * namespace) talking to `peer`. NetworkPolicy semantics: a pod no policy selects for that direction is
 * open; otherwise the rules of every policy selecting it add up. ipBlock peers are not evaluated (ours use none).
 */
export function allows(
  policies: INetworkPolicy[],
  direction: 'Ingress' | 'Egress',
  subject: Endpoint,
  peer: Endpoint,
  connection: Connection,
): boolean {
  const selecting = policies.filter((p) => p.metadata?.namespace === subject.namespace || p.metadata?.namespace === undefined)
    .filter((p) => selectorMatches(p.spec?.podSelector, subject.pod) && (p.spec?.policyTypes ?? ['Ingress']).includes(direction));
  if (selecting.length === 0) return true;
  const rules = selecting.flatMap((p) =>
    direction === 'Ingress' ? (p.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (p.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })));
  return rules.some(({ peers, ports }) => {
    const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => {
      if (p.ipBlock) return false;
      const inNamespace = p.namespaceSelector ? selectorMatches(p.namespaceSelector, namespaceLabels(peer.namespace)) : peer.namespace === subject.namespace;
      return inNamespace && selectorMatches(p.podSelector, peer.pod);
    });
    const portOk = ports === undefined || ports.length === 0 || ports.some((p) =>
      (p.protocol ?? 'TCP') === connection.protocol && (p.port === undefined || p.port === connection.port || (connection.portName !== undefined && p.port === connection.portName)));
    return peerOk && portOk;
  });
}

/** The namespace of a cluster DNS name (`service.namespace.svc.cluster.local[:port]`). */
export function namespaceOfServiceHost(host: string): string {
  const [, namespace] = /^[^.]+\.([^.:]+)\.svc(?:\.|:|$)/.exec(host) ?? [];
  if (!namespace) throw new Error(`${host} is not a cluster service name (service.namespace.svc...)`);
  return namespace;
}

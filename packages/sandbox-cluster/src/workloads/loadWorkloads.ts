import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../store/types';
import { ContainerSpec, Pod } from '../store/pod';
import { podQosClass } from '../api/qos';

/** Reads every YAML document of the given files or folders (non-recursive, *.yaml / *.yml). */
export function readManifests(sources: string[]): KubeObject[] {
  const files = sources.flatMap(src =>
    fs.statSync(src).isDirectory()
      ? fs.readdirSync(src).filter(f => /\.ya?ml$/.test(f)).sort().map(f => path.join(src, f))
      : [src],
  );
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const obj = doc.toJS() as KubeObject | null;
      if (!obj) continue;
      if (!obj.kind || !obj.apiVersion || !obj.metadata?.name) {
        throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
      }
      objects.push(obj);
    }
  }
  return objects;
}

const suffixChars = 'bcdfghjklmnpqrstvwxz2456789';

/** The random suffix the ReplicaSet controller gives pod names. */
export function podNameSuffix(): string {
  return [...randomBytes(5)].map(b => suffixChars[b % suffixChars.length]).join('');
}

export interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels?: Record<string, string> };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Pod['spec'] };
}

/** The ReplicaSet a Deployment controller would create for the current template. */
export function replicaSetFor(deployment: KubeObject & { spec: DeploymentSpec }): KubeObject {
  const hash = createHash('sha256').update(JSON.stringify(deployment.spec.template)).digest('hex').slice(0, 10);
  const podTemplateHash = [...Buffer.from(hash, 'hex')].map(b => suffixChars[b % suffixChars.length]).join('').slice(0, 10);
  const name = `${deployment.metadata.name}-${podTemplateHash}`;
  const labels = { ...(deployment.spec.template.metadata?.labels ?? {}), 'pod-template-hash': podTemplateHash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: deployment.metadata.namespace,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      replicas: deployment.spec.replicas ?? 1,
      selector: { matchLabels: { ...(deployment.spec.selector.matchLabels ?? {}), 'pod-template-hash': podTemplateHash } },
      template: { ...deployment.spec.template, metadata: { ...deployment.spec.template.metadata, labels } },
    },
  };
}

/** A pod created from a ReplicaSet's template, owned by it. */
export function podFor(rs: KubeObject & { spec: DeploymentSpec }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rs.metadata.name}-${podNameSuffix()}`,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: { ...(rs.spec.template.metadata?.labels ?? {}) },
      annotations: { ...(rs.spec.template.metadata?.annotations ?? {}) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(rs.spec.template.spec),
  };
}

/** A limit without its request asks for what it limits (`SetDefaults_Pod`); numbers are stored as strings. */
function withRequestDefaults(resources: NonNullable<ContainerSpec['resources']>): NonNullable<ContainerSpec['resources']> {
  const str = (list: Record<string, string | number>) => Object.fromEntries(Object.entries(list).map(([k, v]) => [k, String(v)]));
  const out: NonNullable<ContainerSpec['resources']> = { ...resources };
  if (resources.limits) out.limits = str(resources.limits);
  if (resources.requests || resources.limits) out.requests = { ...out.limits, ...str(resources.requests ?? {}) };
  return out;
}

/** Fills the defaults the apiserver applies to a pod spec. */
export function withPodDefaults(pod: Pod): Pod {
  const p = structuredClone(pod);
  p.metadata.namespace ??= 'default';
  p.spec.restartPolicy ??= 'Always';
  p.spec.terminationGracePeriodSeconds ??= 30;
  p.spec.dnsPolicy ??= 'ClusterFirst';
  p.spec.schedulerName ??= 'default-scheduler';
  p.spec.serviceAccountName ??= 'default';
  p.spec.securityContext ??= {};
  for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
    c.imagePullPolicy ??= c.image.endsWith(':latest') || !c.image.includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources = withRequestDefaults(c.resources ?? {});
  }
  p.status ??= { phase: 'Pending', qosClass: podQosClass(p) };
  return p;
}

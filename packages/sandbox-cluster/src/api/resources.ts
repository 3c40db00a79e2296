import { KubeObject } from '../store/types';
import { Pod } from '../store/pod';

/** What the API serves per resource: its group/version, kind, scope, verbs and field selectors. */
export interface ResourceDef {
  name: string;
  singularName: string;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ name: string; verbs: string[]; kind?: string }>;
  /** Field selector labels and how to read them off an object. */
  fields: (obj: KubeObject) => Record<string, string>;
}

const metaFields = (obj: KubeObject) => ({
  'metadata.name': obj.metadata.name,
  'metadata.namespace': obj.metadata.namespace ?? '',
});

const READ = ['get', 'list', 'watch'];

export const RESOURCES: ResourceDef[] = [
  {
    name: 'namespaces',
    singularName: 'namespace',
    group: '',
    version: 'v1',
    kind: 'Namespace',
    namespaced: false,
    verbs: READ,
    shortNames: ['ns'],
    fields: obj => ({ ...metaFields(obj), 'status.phase': String((obj.status as { phase?: string })?.phase ?? '') }),
  },
  {
    name: 'nodes',
    singularName: 'node',
    group: '',
    version: 'v1',
    kind: 'Node',
    namespaced: false,
    verbs: READ,
    shortNames: ['no'],
    fields: obj => ({ ...metaFields(obj), 'spec.unschedulable': 'false' }),
  },
  {
    name: 'pods',
    singularName: 'pod',
    group: '',
    version: 'v1',
    kind: 'Pod',
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'log', verbs: ['get'] },
      { name: 'exec', verbs: ['create', 'get'], kind: 'PodExecOptions' },
      { name: 'attach', verbs: ['create', 'get'], kind: 'PodAttachOptions' },
      { name: 'ephemeralcontainers', verbs: ['get', 'patch', 'update'] },
    ],
    fields: obj => {
      const pod = obj as Pod;
      return {
        ...metaFields(obj),
        'spec.nodeName': pod.spec?.nodeName ?? '',
        'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
        'spec.schedulerName': String(pod.spec?.schedulerName ?? ''),
        'spec.serviceAccountName': String(pod.spec?.serviceAccountName ?? ''),
        'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
        'status.phase': pod.status?.phase ?? '',
        'status.podIP': pod.status?.podIP ?? '',
        'status.podIPs': pod.status?.podIP ?? '',
        'status.nominatedNodeName': '',
      };
    },
  },
  {
    name: 'events',
    singularName: 'event',
    group: '',
    version: 'v1',
    kind: 'Event',
    namespaced: true,
    verbs: READ,
    shortNames: ['ev'],
    fields: obj => {
      const e = obj as KubeObject & {
        involvedObject: Record<string, string | undefined>;
        reason?: string;
        type?: string;
        source?: { component?: string };
        reportingComponent?: string;
      };
      const io = e.involvedObject ?? {};
      const fields: Record<string, string> = {
        ...metaFields(obj),
        reason: e.reason ?? '',
        type: e.type ?? '',
        reportingComponent: e.reportingComponent ?? '',
        source: e.source?.component || e.reportingComponent || '',
      };
      for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
        fields[`involvedObject.${f}`] = io[f] ?? '';
      }
      return fields;
    },
  },
  {
    name: 'services',
    singularName: 'service',
    group: '',
    version: 'v1',
    kind: 'Service',
    namespaced: true,
    verbs: READ,
    shortNames: ['svc'],
    categories: ['all'],
    fields: metaFields,
  },
  {
    name: 'deployments',
    singularName: 'deployment',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespaced: true,
    verbs: READ,
    shortNames: ['deploy'],
    categories: ['all'],
    fields: metaFields,
  },
  {
    name: 'replicasets',
    singularName: 'replicaset',
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    namespaced: true,
    verbs: READ,
    shortNames: ['rs'],
    categories: ['all'],
    fields: metaFields,
  },
];

/** metrics.k8s.io: what metrics-server serves, computed per request (api/metrics.ts), get and list only. */
RESOURCES.push(
  { name: 'nodes', singularName: '', group: 'metrics.k8s.io', version: 'v1beta1', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'], fields: metaFields },
  { name: 'pods', singularName: '', group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'], fields: metaFields },
);

export function findResource(group: string, version: string, name: string): ResourceDef | undefined {
  return RESOURCES.find(r => r.group === group && r.version === version && r.name === name);
}

export const SUPPORTED_GROUPS = [
  { name: 'apps', version: 'v1' },
  { name: 'authorization.k8s.io', version: 'v1' },
  { name: 'metrics.k8s.io', version: 'v1beta1' },
];

/** `GET /api/v1` or `/apis/{group}/{version}` as an APIResourceList. */
export function resourceList(group: string, version: string) {
  const groupVersion = group ? `${group}/${version}` : version;
  const resources = RESOURCES.filter(r => r.group === group && r.version === version).flatMap(r => [
    {
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    },
    ...(r.subresources ?? []).map(s => ({
      name: `${r.name}/${s.name}`,
      singularName: '',
      namespaced: r.namespaced,
      kind: s.kind ?? r.kind,
      verbs: s.verbs,
    })),
  ]);
  if (group === 'authorization.k8s.io') {
    resources.push({ name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

export function groupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: SUPPORTED_GROUPS.map(g => ({
      name: g.name,
      versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
      preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
    })),
  };
}

import { KubeObject } from '../store/types';
import { ContainerStatus, Pod } from '../store/pod';

/**
 * Server-side printing (meta.k8s.io/v1 Table), with the columns and cell texts of
 * kubernetes/pkg/printers/internalversion/printers.go, so `kubectl get` prints as against a real cluster.
 */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

const col = (name: string, priority = 0, type = 'string', format = ''): TableColumn => ({
  name,
  type,
  format: name === 'Name' && !format ? 'name' : format,
  description: `${name} of the object`,
  priority,
});

/** apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) return `${Math.floor(hours / 24 / 365)}y${Math.floor(hours / 24) % 365}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

const since = (time: unknown, now: number) => (typeof time === 'string' && time ? humanDuration(now - Date.parse(time)) : '<unknown>');

/** STATUS and RESTARTS of `kubectl get pods`, following printPod. */
export function podStatusColumns(pod: Pod, now = Date.now()) {
  let reason = (pod.status?.reason as string | undefined) || pod.status?.phase || 'Pending';
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  let hasRunning = false;
  const statuses: ContainerStatus[] = pod.status?.containerStatuses ?? [];
  for (const s of [...statuses].reverse()) {
    restarts += s.restartCount;
    if ('terminated' in s.lastState && s.lastState.terminated.finishedAt) {
      lastRestart = Math.max(lastRestart, Date.parse(s.lastState.terminated.finishedAt));
    }
    if ('waiting' in s.state && s.state.waiting.reason) reason = s.state.waiting.reason;
    else if ('terminated' in s.state) {
      reason = s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode}`;
    } else if (s.ready && 'running' in s.state) {
      hasRunning = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    const podReady = pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True');
    reason = podReady ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const restartText = restarts !== 0 && lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${pod.spec.containers.length}`, reason, restarts: restartText };
}

type Printer = { columns: TableColumn[]; cells: (obj: KubeObject, now: number) => unknown[] };

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [col('Name'), col('Ready'), col('Status'), col('Restarts', 0, 'string'), col('Age'), col('IP', 1), col('Node', 1), col('Nominated Node', 1), col('Readiness Gates', 1)],
    cells: (obj, now) => {
      const pod = obj as Pod;
      const s = podStatusColumns(pod, now);
      return [
        pod.metadata.name,
        s.ready,
        s.reason,
        s.restarts,
        since(pod.metadata.creationTimestamp, now),
        pod.status?.podIP || '<none>',
        pod.spec.nodeName || '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  // pkg/printers/internalversion: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, SELECTOR with -o wide.
  services: {
    columns: [col('Name'), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 1)],
    cells: (obj, now) => {
      const spec = (obj.spec ?? {}) as { type?: string; clusterIP?: string; ports?: Array<{ port: number; protocol?: string; nodePort?: number }>; selector?: Record<string, string> };
      const ports = (spec.ports ?? []).map(p => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      return [obj.metadata.name, spec.type ?? 'ClusterIP', spec.clusterIP || '<none>', '<none>', ports || '<none>', since(obj.metadata.creationTimestamp, now), selector || '<none>'];
    },
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 1), col('Source', 1), col('Message'), col('First Seen', 1), col('Count', 1, 'integer'), col('Name', 1)],
    cells: (obj, now) => {
      const e = obj as KubeObject & {
        involvedObject: { kind: string; name: string; fieldPath?: string };
        source?: { component?: string; host?: string };
        firstTimestamp?: string;
        lastTimestamp?: string;
        count?: number;
        type?: string;
        reason?: string;
        message?: string;
      };
      const first = since(e.firstTimestamp, now);
      const last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
      const target = e.involvedObject.name ? `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}` : e.involvedObject.kind.toLowerCase();
      const source = e.source?.host ? `${e.source.component}, ${e.source.host}` : e.source?.component ?? '';
      return [last, e.type, e.reason, target, e.involvedObject.fieldPath ?? '', source, (e.message ?? '').trim(), first, e.count || 1, e.metadata.name];
    },
  },
  namespaces: {
    columns: [col('Name'), col('Status'), col('Age')],
    cells: (obj, now) => [obj.metadata.name, (obj.status as { phase?: string })?.phase ?? 'Active', since(obj.metadata.creationTimestamp, now)],
  },
  nodes: {
    columns: [col('Name'), col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 1), col('External-IP', 1), col('OS-Image', 1), col('Kernel-Version', 1), col('Container-Runtime', 1)],
    cells: (obj, now) => {
      const st = obj.status as { nodeInfo: Record<string, string> };
      const roles = Object.keys(obj.metadata.labels ?? {}).filter(l => l.startsWith('node-role.kubernetes.io/')).map(l => l.split('/')[1]);
      return [obj.metadata.name, 'Ready', roles.join(',') || '<none>', since(obj.metadata.creationTimestamp, now), st.nodeInfo.kubeletVersion, '10.0.0.10', '<none>', st.nodeInfo.osImage, '', st.nodeInfo.containerRuntimeVersion];
    },
  },
  deployments: {
    columns: [col('Name'), col('Ready'), col('Up-to-date', 0, 'integer'), col('Available', 0, 'integer'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
    cells: (obj, now) => workloadCells(obj, now, true),
  },
  replicasets: {
    columns: [col('Name'), col('Desired', 0, 'integer'), col('Current', 0, 'integer'), col('Ready', 0, 'integer'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
    cells: (obj, now) => workloadCells(obj, now, false),
  },
};

function workloadCells(obj: KubeObject, now: number, deployment: boolean) {
  const spec = obj.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template: Pod };
  const status = (obj.status ?? {}) as { readyReplicas?: number; replicas?: number; availableReplicas?: number; updatedReplicas?: number };
  const containers = spec.template.spec.containers;
  const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const tail = [containers.map(c => c.name).join(','), containers.map(c => c.image).join(','), selector];
  const desired = spec.replicas ?? 1;
  return deployment
    ? [obj.metadata.name, `${status.readyReplicas ?? 0}/${desired}`, status.updatedReplicas ?? 0, status.availableReplicas ?? 0, since(obj.metadata.creationTimestamp, now), ...tail]
    : [obj.metadata.name, desired, status.replicas ?? desired, status.readyReplicas ?? 0, since(obj.metadata.creationTimestamp, now), ...tail];
}

const DEFAULT_PRINTER: Printer = {
  columns: [col('Name'), col('Age')],
  cells: (obj, now) => [obj.metadata.name, since(obj.metadata.creationTimestamp, now)],
};

/** Does the Accept header ask for a Table (kubectl get does)? */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(resource: string, objects: KubeObject[], resourceVersion: string, includeObject: IncludeObject, withColumns = true) {
  const printer = PRINTERS[resource] ?? DEFAULT_PRINTER;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: withColumns ? printer.columns : [],
    rows: objects.map(obj => {
      const row: TableRow = { cells: printer.cells(obj, now) };
      if (includeObject === 'Object') row.object = obj;
      else if (includeObject === 'Metadata') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      }
      return row;
    }),
  };
}

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ObjectStore } from './store/ObjectStore';
import { KubeObject } from './store/types';
import { Pod } from './store/pod';
import { Kubelet } from './kubelet/Kubelet';
import { ResourceSampler } from './kubelet/resourceUsage';
import { memoryQuantity } from './api/quantity';
import { detectIsolation, Isolation } from './kubelet/runtime/isolation';
import { invalid } from './api/status';
import { checkPodRunnable } from './api/podValidation';
import { EventRecorder, referenceTo } from './kubelet/EventRecorder';
import { DeploymentSpec, podFor, replicaSetFor, withPodDefaults } from './workloads/loadWorkloads';

export interface ClusterOptions {
  nodeName?: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  pullDelayMs?: number;
  watchHistorySize?: number;
  /** Parent of the sandbox's temporary data folder. */
  tmpRoot?: string;
  /** `auto` (default): isolated containers when running as root on Linux; `off`: plain processes. */
  isolation?: 'auto' | 'off';
  /** How often the containers' CPU and memory are sampled for metrics.k8s.io (metrics-server's resolution); default 5 s. */
  metricsIntervalMs?: number;
  /** Containers' memory limits: `auto` (default) by the kernel in a cgroup where one can be made, else by a watchdog; `watchdog` always. */
  memoryEnforcement?: 'auto' | 'watchdog';
}

const NODE_LABELS = (name: string) => ({
  'kubernetes.io/hostname': name,
  'kubernetes.io/os': 'linux',
  'kubernetes.io/arch': 'amd64',
  'node-role.kubernetes.io/control-plane': '',
});

/** The cluster state and its controllers: store, scheduler+kubelet of one node, workload controllers. */
export class Cluster {
  readonly id = randomBytes(6).toString('hex');
  readonly store: ObjectStore;
  readonly kubelet: Kubelet;
  readonly nodeName: string;
  readonly dataDir: string;
  /** Whether containers are isolated, or why not. */
  readonly isolation: Isolation;
  private readonly events: EventRecorder;
  /** The containers' CPU and memory, sampled for metrics.k8s.io. */
  readonly usage: ResourceSampler;
  private readonly usageTimer: NodeJS.Timeout;

  constructor(opts: ClusterOptions = {}) {
    this.nodeName = opts.nodeName ?? 'sandbox-node';
    this.store = new ObjectStore({ historySize: opts.watchHistorySize });
    this.dataDir = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), 'kube-troubleshoot-sandbox-'));
    this.isolation = opts.isolation === 'off' ? { isolated: false, reason: 'isolation: off' } : detectIsolation();
    this.kubelet = new Kubelet(this.store, {
      isolation: this.isolation,
      nodeName: this.nodeName,
      nodeLabels: NODE_LABELS(this.nodeName),
      dataDir: this.dataDir,
      sandboxId: this.id,
      backoffBaseMs: opts.backoffBaseMs,
      backoffMaxMs: opts.backoffMaxMs,
      pullDelayMs: opts.pullDelayMs,
      memoryEnforcement: opts.memoryEnforcement,
    });
    this.events = new EventRecorder(this.store);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.ensureNamespace(ns);
    // Every cluster has the apiserver's own Service.
    this.createService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } });
    this.startStatusControllers();
    this.usage = new ResourceSampler(this.id, key => this.kubelet.workingSetOf(key));
    this.usage.sample();
    this.usageTimer = setInterval(() => this.usage.sample(), opts.metricsIntervalMs ?? 5000);
    this.usageTimer.unref();
    this.store.watch('pods', this.store.resourceVersion, change => {
      if (change.type === 'DELETED' && change.object.metadata.uid) this.usage.forgetPod(change.object.metadata.uid);
    });
    // This machine's cores and memory, so `kubectl top node` percentages mean something.
    const machine = { cpu: String(os.availableParallelism()), memory: memoryQuantity(Math.floor(os.totalmem() / 1024) * 1024), pods: '110' };
    this.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.nodeName, labels: NODE_LABELS(this.nodeName) },
      spec: {},
      status: {
        capacity: machine,
        allocatable: { ...machine },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.10' },
          { type: 'Hostname', address: this.nodeName },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Kube Troubleshoot sandbox', containerRuntimeVersion: 'sandbox://0.1.0', operatingSystem: 'linux', architecture: 'amd64' },
      },
    });
  }

  /** ReplicaSet and Deployment controllers' status: ready and available replicas follow their pods. */
  private startStatusControllers() {
    this.store.watch('pods', this.store.resourceVersion, change => {
      const owner = change.object.metadata.ownerReferences?.find(o => o.kind === 'ReplicaSet');
      if (!owner) return;
      const namespace = change.object.metadata.namespace;
      const rs = this.store.get('replicasets', namespace, owner.name);
      if (!rs) return;
      const pods = this.store
        .list<Pod>('pods', namespace)
        .filter(p => p.metadata.ownerReferences?.some(o => o.uid === rs.metadata.uid));
      const ready = pods.filter(p => p.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True')).length;
      const counts = { replicas: pods.length, readyReplicas: ready, availableReplicas: ready };
      const old = rs.status as Record<string, number> | undefined;
      if (old && old.replicas === counts.replicas && old.readyReplicas === ready) return;
      this.store.update('replicasets', namespace, owner.name, o => {
        o.status = { ...counts, fullyLabeledReplicas: pods.length, observedGeneration: 1 };
      });
      const dep = rs.metadata.ownerReferences?.find(o => o.kind === 'Deployment');
      if (dep && this.store.get('deployments', namespace, dep.name)) {
        this.store.update('deployments', namespace, dep.name, o => {
          o.status = { ...counts, updatedReplicas: pods.length, unavailableReplicas: pods.length - ready, observedGeneration: 1 };
        });
      }
    });
  }

  ensureNamespace(name: string) {
    if (this.store.get('namespaces', undefined, name)) return;
    this.store.create('namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  /** Creates manifests as `kubectl apply` of new objects would, running the controllers they imply. */
  apply(objects: KubeObject[]) {
    for (const obj of objects) {
      switch (obj.kind) {
        case 'Namespace':
          this.ensureNamespace(obj.metadata.name);
          break;
        case 'Deployment':
          this.createDeployment(obj as KubeObject & { spec: DeploymentSpec });
          break;
        case 'Pod':
          this.createPod(obj as Pod);
          break;
        case 'Service':
          this.createService(obj);
          break;
        default:
          throw new Error(`the sandbox cannot create ${obj.kind} objects (${obj.metadata.name})`);
      }
    }
  }

  private serviceIpCounter = 1;

  /** A ClusterIP Service with the apiserver's defaults and an address from 10.96.0.0/16 (no traffic is routed). */
  createService(input: KubeObject): KubeObject {
    const namespace = input.metadata.namespace ?? 'default';
    this.ensureNamespace(namespace);
    const spec = (input.spec ?? {}) as { ports?: Array<Record<string, unknown>>; [k: string]: unknown };
    const n = this.serviceIpCounter++;
    const clusterIP = `10.96.${Math.floor(n / 256)}.${n % 256}`;
    return this.store.create('services', {
      ...input,
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...input.metadata, namespace },
      spec: {
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        ...spec,
        clusterIP,
        clusterIPs: [clusterIP],
        ports: (spec.ports ?? []).map(p => ({ protocol: 'TCP', targetPort: p.port, ...p })),
      },
      status: { loadBalancer: {} },
    });
  }

  createPod(pod: Pod): Pod {
    if (pod.spec?.ephemeralContainers?.length) {
      throw invalid('Pod', pod.metadata.name, [
        { field: 'spec.ephemeralContainers', message: 'Forbidden: cannot be set on create', type: 'FieldValueForbidden' },
      ]);
    }
    checkPodRunnable(pod);
    const p = withPodDefaults(pod);
    this.ensureNamespace(p.metadata.namespace!);
    const created = this.store.create('pods', p);
    this.kubelet.admit(created);
    return this.store.get<Pod>('pods', created.metadata.namespace, created.metadata.name) ?? created;
  }

  private createDeployment(input: KubeObject & { spec: DeploymentSpec }) {
    const namespace = input.metadata.namespace ?? 'default';
    this.ensureNamespace(namespace);
    const replicas = input.spec.replicas ?? 1;
    const deployment = this.store.create('deployments', {
      ...input,
      metadata: { ...input.metadata, namespace, annotations: { ...input.metadata.annotations, 'deployment.kubernetes.io/revision': '1' } },
      status: { replicas, updatedReplicas: replicas, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
    }) as KubeObject & { spec: DeploymentSpec };
    const rs = this.store.create('replicasets', replicaSetFor(deployment)) as KubeObject & { spec: DeploymentSpec };
    this.events.record(referenceTo(deployment), 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`, {
      component: 'deployment-controller',
    });
    for (let i = 0; i < replicas; i++) {
      const pod = this.createPod(podFor(rs));
      this.events.record(referenceTo(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, {
        component: 'replicaset-controller',
      });
    }
  }

  /** Records an Event about an object, as a controller would. */
  recordEvent(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string) {
    this.events.record(referenceTo(obj), type, reason, message, { component });
  }

  async stop() {
    clearInterval(this.usageTimer);
    await this.kubelet.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

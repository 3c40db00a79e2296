/**
 * Decodes a Pod that kubectl posts as `application/vnd.kubernetes.protobuf` (e.g. `kubectl debug --copy-to`,
 * which creates the copy through the typed clientset) into the JSON object the apiserver would have read
 * had the same Pod been sent as JSON.
 *
 * One generic decoder is driven by a hand-written schema of the messages a Pod can hold (field numbers
 * from k8s.io/api/core/v1 and k8s.io/apimachinery generated.proto). A field the table does not know is
 * refused with 400 rather than dropped, so nothing a client sent is silently lost.
 *
 * Go's protobuf marshaller writes every non-pointer field, zero or not (`stdin: false`, `workingDir: ""`),
 * where encoding/json omits them (`omitempty`). So zero scalars are dropped unless the field is marked
 * `keepZero` (a Go pointer, where zero is a value, or a field JSON writes without `omitempty`).
 */
import { decodeFields, isProtobuf } from './protobuf';
import { badRequest, StatusError } from './status';

type Kind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'bytes'
  | 'quantity'
  | 'time'
  | 'intOrString'
  | 'map<string,string>'
  | 'map<string,quantity>'
  /** Read and ignored: status (reset on create) and managedFields (owned by the server). */
  | 'skip'
  | `message:${string}`
  /** A Go embedded struct (`json:",inline"`): its fields are flattened into the parent object. */
  | `inline:${string}`;

interface FieldSpec {
  name: string;
  kind: Kind;
  repeated?: boolean;
  keepZero?: boolean;
}

type MessageSpec = Record<number, FieldSpec>;

// Table helpers: `f` a field whose zero value JSON omits, `keep` one whose zero value is data,
// `list` a repeated field, `msg`/`msgs`/`inline` nested messages.
const f = (name: string, kind: Kind = 'string'): FieldSpec => ({ name, kind });
const keep = (name: string, kind: Kind = 'string'): FieldSpec => ({ name, kind, keepZero: true });
const list = (name: string, kind: Kind = 'string'): FieldSpec => ({ name, kind, repeated: true });
const msg = (name: string, type: string): FieldSpec => ({ name, kind: `message:${type}` });
const msgs = (name: string, type: string): FieldSpec => ({ name, kind: `message:${type}`, repeated: true });
const inline = (type: string): FieldSpec => ({ name: type, kind: `inline:${type}` });

/** The fields shared by Container and EphemeralContainerCommon (same numbers in both). */
const CONTAINER: MessageSpec = {
  1: keep('name'),
  2: f('image'),
  3: list('command'),
  4: list('args'),
  5: f('workingDir'),
  6: msgs('ports', 'ContainerPort'),
  7: msgs('env', 'EnvVar'),
  8: msg('resources', 'ResourceRequirements'),
  9: msgs('volumeMounts', 'VolumeMount'),
  10: msg('livenessProbe', 'Probe'),
  11: msg('readinessProbe', 'Probe'),
  12: msg('lifecycle', 'Lifecycle'),
  13: f('terminationMessagePath'),
  14: f('imagePullPolicy'),
  15: msg('securityContext', 'SecurityContext'),
  16: f('stdin', 'bool'),
  17: f('stdinOnce', 'bool'),
  18: f('tty', 'bool'),
  19: msgs('envFrom', 'EnvFromSource'),
  20: f('terminationMessagePolicy'),
  21: msgs('volumeDevices', 'VolumeDevice'),
  22: msg('startupProbe', 'Probe'),
  23: msgs('resizePolicy', 'ContainerResizePolicy'),
  24: keep('restartPolicy'),
  25: msgs('restartPolicyRules', 'ContainerRestartRule'),
};

/** The Secret / ConfigMap selectors, env sources and projections embed LocalObjectReference as field 1. */
const NAMED_KEY_SELECTOR: MessageSpec = { 1: inline('LocalObjectReference'), 2: keep('key'), 3: keep('optional', 'bool') };
const NAMED_ENV_SOURCE: MessageSpec = { 1: inline('LocalObjectReference'), 2: keep('optional', 'bool') };
const NAMED_PROJECTION: MessageSpec = { 1: inline('LocalObjectReference'), 2: msgs('items', 'KeyToPath'), 4: keep('optional', 'bool') };
const POD_AFFINITY: MessageSpec = {
  1: msgs('requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm'),
  2: msgs('preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm'),
};
const SELECTOR_REQUIREMENT: MessageSpec = { 1: keep('key'), 2: keep('operator'), 3: list('values') };

const SCHEMA: Record<string, MessageSpec> = {
  Pod: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec'), 3: f('status', 'skip') },

  // k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: {
    1: f('name'),
    2: f('generateName'),
    3: f('namespace'),
    4: f('selfLink'),
    5: f('uid'),
    6: f('resourceVersion'),
    7: f('generation', 'int64'),
    8: f('creationTimestamp', 'time'),
    9: f('deletionTimestamp', 'time'),
    10: keep('deletionGracePeriodSeconds', 'int64'),
    11: f('labels', 'map<string,string>'),
    12: f('annotations', 'map<string,string>'),
    13: msgs('ownerReferences', 'OwnerReference'),
    14: list('finalizers'),
    17: list('managedFields', 'skip'),
  },
  OwnerReference: {
    1: keep('kind'),
    3: keep('name'),
    4: keep('uid'),
    5: keep('apiVersion'),
    6: keep('controller', 'bool'),
    7: keep('blockOwnerDeletion', 'bool'),
  },
  LabelSelector: { 1: f('matchLabels', 'map<string,string>'), 2: msgs('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: SELECTOR_REQUIREMENT,
  Time: { 1: keep('seconds', 'int64'), 2: keep('nanos', 'int32') },
  // k8s.io/apimachinery/pkg/api/resource and pkg/util/intstr
  Quantity: { 1: keep('string') },
  IntOrString: { 1: keep('type', 'int64'), 2: keep('intVal', 'int32'), 3: keep('strVal') },
  // Map entries as protobuf writes them: key 1, value 2.
  StringEntry: { 1: keep('key'), 2: keep('value') },
  QuantityEntry: { 1: keep('key'), 2: keep('value', 'quantity') },

  // k8s.io/api/core/v1
  PodSpec: {
    1: msgs('volumes', 'Volume'),
    2: msgs('containers', 'Container'),
    3: f('restartPolicy'),
    4: keep('terminationGracePeriodSeconds', 'int64'),
    5: keep('activeDeadlineSeconds', 'int64'),
    6: f('dnsPolicy'),
    7: f('nodeSelector', 'map<string,string>'),
    8: f('serviceAccountName'),
    9: f('serviceAccount'),
    10: f('nodeName'),
    11: f('hostNetwork', 'bool'),
    12: f('hostPID', 'bool'),
    13: f('hostIPC', 'bool'),
    14: msg('securityContext', 'PodSecurityContext'),
    15: msgs('imagePullSecrets', 'LocalObjectReference'),
    16: f('hostname'),
    17: f('subdomain'),
    18: msg('affinity', 'Affinity'),
    19: f('schedulerName'),
    20: msgs('initContainers', 'Container'),
    21: keep('automountServiceAccountToken', 'bool'),
    22: msgs('tolerations', 'Toleration'),
    23: msgs('hostAliases', 'HostAlias'),
    24: f('priorityClassName'),
    25: keep('priority', 'int32'),
    26: msg('dnsConfig', 'PodDNSConfig'),
    27: keep('shareProcessNamespace', 'bool'),
    28: msgs('readinessGates', 'PodReadinessGate'),
    29: keep('runtimeClassName'),
    30: keep('enableServiceLinks', 'bool'),
    31: keep('preemptionPolicy'),
    32: f('overhead', 'map<string,quantity>'),
    33: msgs('topologySpreadConstraints', 'TopologySpreadConstraint'),
    34: msgs('ephemeralContainers', 'EphemeralContainer'),
    35: keep('setHostnameAsFQDN', 'bool'),
    36: msg('os', 'PodOS'),
    37: keep('hostUsers', 'bool'),
    38: msgs('schedulingGates', 'PodSchedulingGate'),
    39: msgs('resourceClaims', 'PodResourceClaim'),
    40: msg('resources', 'ResourceRequirements'),
    41: keep('hostnameOverride'),
    42: msg('workloadRef', 'WorkloadReference'),
  },
  Container: CONTAINER,
  EphemeralContainerCommon: CONTAINER,
  EphemeralContainer: { 1: inline('EphemeralContainerCommon'), 2: f('targetContainerName') },
  ContainerPort: { 1: f('name'), 2: f('hostPort', 'int32'), 3: keep('containerPort', 'int32'), 4: f('protocol'), 5: f('hostIP') },
  ContainerResizePolicy: { 1: keep('resourceName'), 2: keep('restartPolicy') },
  ContainerRestartRule: { 1: f('action'), 2: msg('exitCodes', 'ContainerRestartRuleOnExitCodes') },
  ContainerRestartRuleOnExitCodes: { 1: f('operator'), 2: list('values', 'int32') },
  EnvVar: { 1: keep('name'), 2: f('value'), 3: msg('valueFrom', 'EnvVarSource') },
  EnvVarSource: {
    1: msg('fieldRef', 'ObjectFieldSelector'),
    2: msg('resourceFieldRef', 'ResourceFieldSelector'),
    3: msg('configMapKeyRef', 'ConfigMapKeySelector'),
    4: msg('secretKeyRef', 'SecretKeySelector'),
    5: msg('fileKeyRef', 'FileKeySelector'),
  },
  ObjectFieldSelector: { 1: f('apiVersion'), 2: keep('fieldPath') },
  ResourceFieldSelector: { 1: f('containerName'), 2: keep('resource'), 3: f('divisor', 'quantity') },
  ConfigMapKeySelector: NAMED_KEY_SELECTOR,
  SecretKeySelector: NAMED_KEY_SELECTOR,
  FileKeySelector: { 1: keep('volumeName'), 2: keep('path'), 3: keep('key'), 4: keep('optional', 'bool') },
  EnvFromSource: { 1: f('prefix'), 2: msg('configMapRef', 'ConfigMapEnvSource'), 3: msg('secretRef', 'SecretEnvSource') },
  ConfigMapEnvSource: NAMED_ENV_SOURCE,
  SecretEnvSource: NAMED_ENV_SOURCE,
  LocalObjectReference: { 1: f('name') },
  ResourceRequirements: { 1: f('limits', 'map<string,quantity>'), 2: f('requests', 'map<string,quantity>'), 3: msgs('claims', 'ResourceClaim') },
  ResourceClaim: { 1: keep('name'), 2: f('request') },
  VolumeMount: {
    1: keep('name'),
    2: f('readOnly', 'bool'),
    3: keep('mountPath'),
    4: f('subPath'),
    5: keep('mountPropagation'),
    6: f('subPathExpr'),
    7: keep('recursiveReadOnly'),
  },
  VolumeDevice: { 1: keep('name'), 2: keep('devicePath') },
  Probe: {
    1: inline('ProbeHandler'),
    2: f('initialDelaySeconds', 'int32'),
    3: f('timeoutSeconds', 'int32'),
    4: f('periodSeconds', 'int32'),
    5: f('successThreshold', 'int32'),
    6: f('failureThreshold', 'int32'),
    7: keep('terminationGracePeriodSeconds', 'int64'),
  },
  ProbeHandler: { 1: msg('exec', 'ExecAction'), 2: msg('httpGet', 'HTTPGetAction'), 3: msg('tcpSocket', 'TCPSocketAction'), 4: msg('grpc', 'GRPCAction') },
  ExecAction: { 1: list('command') },
  HTTPGetAction: { 1: f('path'), 2: keep('port', 'intOrString'), 3: f('host'), 4: f('scheme'), 5: msgs('httpHeaders', 'HTTPHeader') },
  HTTPHeader: { 1: keep('name'), 2: keep('value') },
  TCPSocketAction: { 1: keep('port', 'intOrString'), 2: f('host') },
  GRPCAction: { 1: keep('port', 'int32'), 2: keep('service') },
  Lifecycle: { 1: msg('postStart', 'LifecycleHandler'), 2: msg('preStop', 'LifecycleHandler'), 3: keep('stopSignal') },
  LifecycleHandler: { 1: msg('exec', 'ExecAction'), 2: msg('httpGet', 'HTTPGetAction'), 3: msg('tcpSocket', 'TCPSocketAction'), 4: msg('sleep', 'SleepAction') },
  SleepAction: { 1: keep('seconds', 'int64') },
  SecurityContext: {
    1: msg('capabilities', 'Capabilities'),
    2: keep('privileged', 'bool'),
    3: msg('seLinuxOptions', 'SELinuxOptions'),
    4: keep('runAsUser', 'int64'),
    5: keep('runAsNonRoot', 'bool'),
    6: keep('readOnlyRootFilesystem', 'bool'),
    7: keep('allowPrivilegeEscalation', 'bool'),
    8: keep('runAsGroup', 'int64'),
    9: keep('procMount'),
    10: msg('windowsOptions', 'WindowsSecurityContextOptions'),
    11: msg('seccompProfile', 'SeccompProfile'),
    12: msg('appArmorProfile', 'AppArmorProfile'),
    13: msgs('ulimits', 'Ulimit'),
  },
  Capabilities: { 1: list('add'), 2: list('drop') },
  SELinuxOptions: { 1: f('user'), 2: f('role'), 3: f('type'), 4: f('level') },
  SeccompProfile: { 1: keep('type'), 2: keep('localhostProfile') },
  AppArmorProfile: { 1: keep('type'), 2: keep('localhostProfile') },
  WindowsSecurityContextOptions: { 1: keep('gmsaCredentialSpecName'), 2: keep('gmsaCredentialSpec'), 3: keep('runAsUserName'), 4: keep('hostProcess', 'bool') },
  Ulimit: { 1: keep('name'), 2: keep('hard', 'int64'), 3: keep('soft', 'int64') },
  PodSecurityContext: {
    1: msg('seLinuxOptions', 'SELinuxOptions'),
    2: keep('runAsUser', 'int64'),
    3: keep('runAsNonRoot', 'bool'),
    4: list('supplementalGroups', 'int64'),
    5: keep('fsGroup', 'int64'),
    6: keep('runAsGroup', 'int64'),
    7: msgs('sysctls', 'Sysctl'),
    8: msg('windowsOptions', 'WindowsSecurityContextOptions'),
    9: keep('fsGroupChangePolicy'),
    10: msg('seccompProfile', 'SeccompProfile'),
    11: msg('appArmorProfile', 'AppArmorProfile'),
    12: keep('supplementalGroupsPolicy'),
    13: keep('seLinuxChangePolicy'),
  },
  Sysctl: { 1: keep('name'), 2: keep('value') },
  Toleration: { 1: f('key'), 2: f('operator'), 3: f('value'), 4: f('effect'), 5: keep('tolerationSeconds', 'int64') },
  PodDNSConfig: { 1: list('nameservers'), 2: list('searches'), 3: msgs('options', 'PodDNSConfigOption') },
  PodDNSConfigOption: { 1: f('name'), 2: keep('value') },
  HostAlias: { 1: keep('ip'), 2: list('hostnames') },
  PodReadinessGate: { 1: keep('conditionType') },
  TopologySpreadConstraint: {
    1: keep('maxSkew', 'int32'),
    2: keep('topologyKey'),
    3: keep('whenUnsatisfiable'),
    4: msg('labelSelector', 'LabelSelector'),
    5: keep('minDomains', 'int32'),
    6: keep('nodeAffinityPolicy'),
    7: keep('nodeTaintsPolicy'),
    8: list('matchLabelKeys'),
  },
  Affinity: { 1: msg('nodeAffinity', 'NodeAffinity'), 2: msg('podAffinity', 'PodAffinity'), 3: msg('podAntiAffinity', 'PodAntiAffinity') },
  NodeAffinity: {
    1: msg('requiredDuringSchedulingIgnoredDuringExecution', 'NodeSelector'),
    2: msgs('preferredDuringSchedulingIgnoredDuringExecution', 'PreferredSchedulingTerm'),
  },
  NodeSelector: { 1: msgs('nodeSelectorTerms', 'NodeSelectorTerm') },
  NodeSelectorTerm: { 1: msgs('matchExpressions', 'NodeSelectorRequirement'), 2: msgs('matchFields', 'NodeSelectorRequirement') },
  NodeSelectorRequirement: SELECTOR_REQUIREMENT,
  PreferredSchedulingTerm: { 1: keep('weight', 'int32'), 2: msg('preference', 'NodeSelectorTerm') },
  PodAffinity: POD_AFFINITY,
  PodAntiAffinity: POD_AFFINITY,
  PodAffinityTerm: {
    1: msg('labelSelector', 'LabelSelector'),
    2: list('namespaces'),
    3: keep('topologyKey'),
    4: msg('namespaceSelector', 'LabelSelector'),
    5: list('matchLabelKeys'),
    6: list('mismatchLabelKeys'),
  },
  WeightedPodAffinityTerm: { 1: keep('weight', 'int32'), 2: msg('podAffinityTerm', 'PodAffinityTerm') },
  PodOS: { 1: keep('name') },
  PodSchedulingGate: { 1: keep('name') },
  PodResourceClaim: { 1: keep('name'), 3: keep('resourceClaimName'), 4: keep('resourceClaimTemplateName') },
  WorkloadReference: { 1: keep('name'), 2: keep('podGroup'), 3: f('podGroupReplicaKey') },
  Volume: { 1: keep('name'), 2: inline('VolumeSource') },
  // Only the sources the sandbox can mount; any other (nfs, csi, ephemeral, ...) is refused by number.
  VolumeSource: {
    1: msg('hostPath', 'HostPathVolumeSource'),
    2: msg('emptyDir', 'EmptyDirVolumeSource'),
    6: msg('secret', 'SecretVolumeSource'),
    10: msg('persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource'),
    16: msg('downwardAPI', 'DownwardAPIVolumeSource'),
    19: msg('configMap', 'ConfigMapVolumeSource'),
    26: msg('projected', 'ProjectedVolumeSource'),
  },
  HostPathVolumeSource: { 1: keep('path'), 2: keep('type') },
  EmptyDirVolumeSource: { 1: f('medium'), 2: f('sizeLimit', 'quantity') },
  SecretVolumeSource: { 1: f('secretName'), 2: msgs('items', 'KeyToPath'), 3: keep('defaultMode', 'int32'), 4: keep('optional', 'bool') },
  ConfigMapVolumeSource: { 1: inline('LocalObjectReference'), 2: msgs('items', 'KeyToPath'), 3: keep('defaultMode', 'int32'), 4: keep('optional', 'bool') },
  KeyToPath: { 1: keep('key'), 2: keep('path'), 3: keep('mode', 'int32') },
  PersistentVolumeClaimVolumeSource: { 1: keep('claimName'), 2: f('readOnly', 'bool') },
  DownwardAPIVolumeSource: { 1: msgs('items', 'DownwardAPIVolumeFile'), 2: keep('defaultMode', 'int32') },
  DownwardAPIVolumeFile: { 1: keep('path'), 2: msg('fieldRef', 'ObjectFieldSelector'), 3: msg('resourceFieldRef', 'ResourceFieldSelector'), 4: keep('mode', 'int32') },
  ProjectedVolumeSource: { 1: msgs('sources', 'VolumeProjection'), 2: keep('defaultMode', 'int32') },
  VolumeProjection: {
    1: msg('secret', 'SecretProjection'),
    2: msg('downwardAPI', 'DownwardAPIProjection'),
    3: msg('configMap', 'ConfigMapProjection'),
    4: msg('serviceAccountToken', 'ServiceAccountTokenProjection'),
  },
  SecretProjection: NAMED_PROJECTION,
  ConfigMapProjection: NAMED_PROJECTION,
  DownwardAPIProjection: { 1: msgs('items', 'DownwardAPIVolumeFile') },
  ServiceAccountTokenProjection: { 1: f('audience'), 2: keep('expirationSeconds', 'int64'), 3: keep('path') },
};

type JsonObject = Record<string, unknown>;
type Raw = bigint | Buffer;

const SEND_JSON = '; send the object as JSON';
const unknownField = (message: string, n: number) => badRequest(`the sandbox cannot decode field ${n} of the protobuf ${message}${SEND_JSON}`);

/** Varints as bigint: int64 and negative int32 values use all 64 bits, beyond a double's precision. */
function readVarint(buf: Buffer, start: number, message: string): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let pos = start; pos < buf.length && shift < 70n; pos++) {
    result |= BigInt(buf[pos] & 0x7f) << shift;
    if (!(buf[pos] & 0x80)) return [result, pos + 1];
    shift += 7n;
  }
  throw badRequest(`the protobuf ${message} is truncated or malformed${SEND_JSON}`);
}

/** The values of one message's fields, grouped by field number in the order they were written. */
function readFields(buf: Buffer, message: string): Map<number, Raw[]> {
  const fields = new Map<number, Raw[]>();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos, message);
    const n = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: Raw;
    if (wire === 0) {
      [value, pos] = readVarint(buf, p1, message);
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1, message);
      pos = p2 + Number(len);
      if (pos > buf.length) throw badRequest(`the protobuf ${message} is truncated${SEND_JSON}`);
      value = buf.subarray(p2, pos);
    } else {
      // No Pod field uses fixed32/fixed64 or groups.
      throw badRequest(`field ${n} of the protobuf ${message} has wire type ${wire}, which the sandbox cannot decode${SEND_JSON}`);
    }
    const values = fields.get(n) ?? [];
    values.push(value);
    fields.set(n, values);
  }
  return fields;
}

const isVarintKind = (kind: Kind) => kind === 'int32' || kind === 'int64' || kind === 'bool';

function varintValue(kind: Kind, v: bigint): number | boolean {
  if (kind === 'bool') return v !== 0n;
  return Number(BigInt.asIntN(kind === 'int32' ? 32 : 64, v));
}

/** A repeated varint field may also arrive packed: one length-delimited run of varints. */
function unpack(buf: Buffer, message: string): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < buf.length; ) {
    let v: bigint;
    [v, pos] = readVarint(buf, pos, message);
    out.push(v);
  }
  return out;
}

function expectBytes(raw: Raw, message: string, n: number): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  throw badRequest(`field ${n} of the protobuf ${message} is a varint where the sandbox expects bytes${SEND_JSON}`);
}

/** metav1.Time: seconds since the epoch as RFC3339 in UTC; nanoseconds are dropped, as its JSON form does. */
function timeValue(t: JsonObject): string | undefined {
  if (t.seconds === undefined && t.nanos === undefined) return undefined; // the zero Time, null in JSON
  const date = new Date(Number(t.seconds ?? 0) * 1000);
  if (Number.isNaN(date.getTime())) throw badRequest(`the protobuf Time ${String(t.seconds)} is out of range${SEND_JSON}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** intstr.IntOrString: type 0 is the int, type 1 the string. */
function intOrStringValue(v: JsonObject): number | string {
  return v.type === 1 ? String(v.strVal ?? '') : Number(v.intVal ?? 0);
}

function mapValue(raws: Raw[], message: string, n: number, entry: 'StringEntry' | 'QuantityEntry'): JsonObject {
  const out: JsonObject = {};
  for (const raw of raws) {
    const e = decodeMessage(expectBytes(raw, message, n), entry);
    out[String(e.key ?? '')] = e.value ?? (entry === 'QuantityEntry' ? '0' : '');
  }
  return out;
}

/** One length-delimited value of a non-varint kind. */
function bytesValue(kind: Kind, buf: Buffer): unknown {
  switch (kind) {
    case 'string':
      return buf.toString('utf8');
    case 'bytes':
      return buf.toString('base64');
    case 'quantity':
      return String(decodeMessage(buf, 'Quantity').string ?? '0');
    case 'time':
      return timeValue(decodeMessage(buf, 'Time'));
    case 'intOrString':
      return intOrStringValue(decodeMessage(buf, 'IntOrString'));
    default:
      return decodeMessage(buf, kind.slice('message:'.length));
  }
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false || v === undefined;

/** The JSON value of one field from all its occurrences, or undefined where JSON would omit it. */
function fieldValue(spec: FieldSpec, raws: Raw[], message: string, n: number): unknown {
  const { kind } = spec;
  if (kind === 'map<string,string>') return mapValue(raws, message, n, 'StringEntry');
  if (kind === 'map<string,quantity>') return mapValue(raws, message, n, 'QuantityEntry');
  if (spec.repeated) {
    const values = raws.flatMap(raw => {
      if (!isVarintKind(kind)) return [bytesValue(kind, expectBytes(raw, message, n))];
      return (Buffer.isBuffer(raw) ? unpack(raw, message) : [raw]).map(v => varintValue(kind, v));
    });
    return values.length ? values : undefined;
  }
  let value: unknown;
  if (isVarintKind(kind)) {
    const last = raws[raws.length - 1];
    if (Buffer.isBuffer(last)) throw badRequest(`field ${n} of the protobuf ${message} is bytes where the sandbox expects a varint${SEND_JSON}`);
    value = varintValue(kind, last);
  } else if (kind.startsWith('message:')) {
    // Protobuf merges repeated occurrences of a singular message; decoding them concatenated does exactly that.
    value = bytesValue(kind, Buffer.concat(raws.map(raw => expectBytes(raw, message, n))));
  } else {
    value = bytesValue(kind, expectBytes(raws[raws.length - 1], message, n));
  }
  return isZero(value) && !spec.keepZero ? undefined : value;
}

function decodeMessage(buf: Buffer, message: string): JsonObject {
  const schema = SCHEMA[message];
  const out: JsonObject = {};
  for (const [n, raws] of readFields(buf, message)) {
    const spec = schema[n];
    if (!spec) throw unknownField(message, n);
    if (spec.kind === 'skip') continue;
    if (spec.kind.startsWith('inline:')) {
      const inner = Buffer.concat(raws.map(raw => expectBytes(raw, message, n)));
      Object.assign(out, decodeMessage(inner, spec.kind.slice('inline:'.length)));
      continue;
    }
    const value = fieldValue(spec, raws, message, n);
    if (value !== undefined) out[spec.name] = value;
  }
  return out;
}

/** The envelope: `k8s\0`, then runtime.Unknown { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2, contentEncoding = 3 }. */
function unwrap(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (!isProtobuf(body)) throw badRequest(`the body is not a Kubernetes protobuf object${SEND_JSON}`);
  const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : '');
  try {
    const unknown = decodeFields(body.subarray(4));
    const typeMeta = unknown.get(1)?.[0];
    const raw = unknown.get(2)?.[0];
    const encoding = unknown.get(3)?.[0];
    if (Buffer.isBuffer(encoding) && encoding.length) throw badRequest(`the sandbox cannot decode protobuf with content encoding ${text(encoding)}${SEND_JSON}`);
    const meta = Buffer.isBuffer(typeMeta) ? decodeFields(typeMeta) : new Map<number, Array<Buffer | number>>();
    return { apiVersion: text(meta.get(1)?.[0]), kind: text(meta.get(2)?.[0]), raw: Buffer.isBuffer(raw) ? raw : Buffer.alloc(0) };
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest(`the protobuf envelope is malformed: ${(e as Error).message}${SEND_JSON}`);
  }
}

/**
 * The JSON form of a protobuf-encoded v1 Pod: `apiVersion`, `kind`, `metadata`, `spec`. Status is read and
 * dropped, as create resets it; so is metadata.managedFields. Anything else it cannot decode is a 400 StatusError.
 */
export function decodePod(raw: Buffer): Record<string, unknown> {
  const { apiVersion, kind, raw: object } = unwrap(raw);
  if (apiVersion !== 'v1' || kind !== 'Pod') {
    throw badRequest(`the sandbox decodes only v1 Pods from protobuf, not ${apiVersion || '<none>'} ${kind || '<none>'}${SEND_JSON}`);
  }
  return { apiVersion: 'v1', kind: 'Pod', ...decodeMessage(object, 'Pod') };
}

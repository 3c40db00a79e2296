import { decodePod } from './podProtobuf';
import { StatusError } from './status';

// A small protobuf encoder, enough to build what Go's marshaller writes.
const varint = (v: number | bigint) => {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const low = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n ? low | 0x80 : low);
  } while (n);
  return Buffer.from(out);
};
const bytes = (n: number, b: Buffer) => Buffer.concat([varint(n * 8 + 2), varint(b.length), b]);
const str = (n: number, s: string) => bytes(n, Buffer.from(s));
const msg = (n: number, ...parts: Buffer[]) => bytes(n, Buffer.concat(parts));
const int = (n: number, v: number | bigint) => Buffer.concat([varint(n * 8), varint(v)]);
const bool = (n: number, v: boolean) => int(n, v ? 1 : 0);
const entry = (n: number, key: string, value: string) => msg(n, str(1, key), str(2, value));
const quantityEntry = (n: number, key: string, value: string) => msg(n, str(1, key), msg(2, str(1, value)));
const envelope = (pod: Buffer, apiVersion = 'v1', kind = 'Pod') =>
  Buffer.concat([Buffer.from('k8s\0', 'binary'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, pod), str(3, ''), str(4, '')]);
const podWithSpec = (...spec: Buffer[]) => envelope(Buffer.concat([msg(1, str(1, 'p')), msg(2, ...spec)]));
/** A Container as Go writes it: every non-pointer field present, zero or not. */
const container = (name: string, ...extra: Buffer[]) =>
  Buffer.concat([
    str(1, name),
    str(2, 'busybox'),
    str(5, ''),
    msg(8),
    str(13, ''),
    str(14, ''),
    bool(16, false),
    bool(17, false),
    bool(18, false),
    str(20, ''),
    ...extra,
  ]);

const rejection = (body: Buffer) => {
  try {
    decodePod(body);
  } catch (e) {
    if (e instanceof StatusError) return e.status;
    throw e;
  }
  throw new Error('decodePod accepted the body');
};

/** `kubectl debug web --copy-to=web-debug --image=busybox --container=dbg -- sleep 1d` (kubectl v1.32.4), as captured. */
const KUBECTL_DEBUG_COPY = Buffer.from(
  'azhzAAoJCgJ2MRIDUG9kErYECisKCXdlYi1kZWJ1ZxIAGgdkZWZhdWx0IgAqADIAOABCAGIJCgRub3RlEgF4EvQDElYKA2FwcBIF' +
    'bmdpbngaBW5naW54IgItZyILZGFlbW9uIG9mZjsqAEIAahQvZGV2L3Rlcm1pbmF0aW9uLWxvZ3IGQWx3YXlzgAEAiAEAkAEAogEE' +
    'RmlsZRKEAQoEc2lkZRIHYnVzeWJveBoFc2xlZXAaBDM2MDAqAEIwCg0KA2NwdRIGCgQ1MDBtChAKBm1lbW9yeRIGCgQ2NE1pEg0K' +
    'A2NwdRIGCgQxMDBtahQvZGV2L3Rlcm1pbmF0aW9uLWxvZ3IMSWZOb3RQcmVzZW50gAEAiAEAkAEAogEERmlsZRIxCgNkYmcSB2J1' +
    'c3lib3gaBXNsZWVwGgIxZCoAQgBqAHIAgAEAiAEAkAEAogEERmlsZRoGQWx3YXlzIB4yDENsdXN0ZXJGaXJzdEIHZGVmYXVsdEoH' +
    'ZGVmYXVsdFIAWABgAGgAcgCCAQCKAQCaARFkZWZhdWx0LXNjaGVkdWxlcrIBNgocbm9kZS5rdWJlcm5ldGVzLmlvL25vdC1yZWFk' +
    'eRIGRXhpc3RzGgAiCU5vRXhlY3V0ZSisArIBOAoebm9kZS5rdWJlcm5ldGVzLmlvL3VucmVhY2hhYmxlEgZFeGlzdHMaACIJTm9F' +
    'eGVjdXRlKKwCwgEAyAEA8AEB+gEUUHJlZW1wdExvd2VyUHJpb3JpdHkaEAoAGgAiACoAMgBKAFoAcgAaACIA',
  'base64',
);

/** The same for the pod RICH_SOURCE, with --keep-labels --keep-annotations --keep-liveness --keep-readiness --keep-startup. */
const KUBECTL_DEBUG_COPY_RICH = Buffer.from(
  'azhzAAoJCgJ2MRIDUG9kEqkRCjcKCnJpY2gtZGVidWcSABoHZGVmYXVsdCIAKgAyADgAQgBiFAoPYS5leGFtcGxlLmNvbS94EgEx' +
    'EtsQCh8KBGhvc3QSFwoVCggvdmFyL2xvZxIJRGlyZWN0b3J5Ch0KB3NjcmF0Y2gSEhIQCgZNZW1vcnkSBgoENjRNaQoNCgVwbGFp' +
    'bhIEEgIKAAodCgNzZWMSFjIUCgJzMRIJCgFrEgFwGIACGKQDIAEKGgoCY20SFJoBEQoECgJjMRIGCgFhEgFiGP8DChMKBWNsYWlt' +
    'EgpSCAoEZGF0YRABClAKBGRhcGkSSIIBRQofCgZsYWJlbHMSFQoCdjESD21ldGFkYXRhLmxhYmVscwofCgNjcHUaGAoEbWFpbhIK' +
    'bGltaXRzLmNwdRoECgIxbRCkAgqCAQoEcHJvahJ60gF3ChEiDwoDYXBpEJccGgV0b2tlbgooGiYKEgoQa3ViZS1yb290LWNhLmNy' +
    'dBIQCgZjYS5jcnQSBmNhLmNydAoKCggKBAoCczIgAAopEicKJQoJbmFtZXNwYWNlEhgKAnYxEhJtZXRhZGF0YS5uYW1lc3BhY2UQ' +
    'pAMSvAYKBG1haW4SCm5naW54OjEuMjcqBC9zcnYyEgoEaHR0cBAAGJA/IgNUQ1AqADIXCgAQkpUBGIJHIgNVRFAqBzAuMC4wLjA6' +
    'CgoFUExBSU4SAXY6CQoFRU1QVFkSADoeCgNQT0QSABoVChMKAnYxEg1tZXRhZGF0YS5uYW1lOiMKA01FTRIAGhoSGAoAEg1saW1p' +
    'dHMubWVtb3J5GgUKAzFNaToWCgNDTUsSABoNGgsKBAoCYzESAWsYADoUCgJTSxIAGgwiCgoECgJzMRICcHdCZwoKCgNjcHUSAwoB' +
    'MQoRCgZtZW1vcnkSBwoFMTI4TWkSDQoDY3B1EgYKBDI1MG0SGgoRZXBoZW1lcmFsLXN0b3JhZ2USBQoDMUdpEhAKBm1lbW9yeRIG' +
    'CgQ2NE1pGgkKA2dwdRICcjFKJAoEaG9zdBABGgUvaG9zdCIAKg9Ib3N0VG9Db250YWluZXIyAEoaCgdzY3JhdGNoEAAaCC9zY3Jh' +
    'dGNoIgF4MgBKIQoDc2VjEAAaBC9zZWMiADIGJChQT0QpOghEaXNhYmxlZFI4CioSKAoIL2hlYWx0aHoSCggBEAAaBGh0dHAaACIE' +
    'SFRUUCoICgNYLUESAWIQAxgBIAooATADOABaGQoNGgsKBwgAEJA/GgASABAAGAAgACgAMABiGwoTChEKAnNoCgItYwoHZWNobyBo' +
    'aRIEIgIIBWoUL2Rldi90ZXJtaW5hdGlvbi1sb2dyDElmTm90UHJlc2VudHpmChAKCU5FVF9BRE1JThIDQUxMEAAaEAoAEgAaACII' +
    'czA6YzEsYzIg6AcoATABOABAAEoHRGVmYXVsdFoQCg5SdW50aW1lRGVmYXVsdGIYCglMb2NhbGhvc3QSC2s4cy1kZWZhdWx0gAEB' +
    'iAEAkAEBmgEPCgNDTV8SCAoECgJjMRABmgEKCgAaBgoECgJzMaIBFUZhbGxiYWNrVG9Mb2dzT25FcnJvcqoBEAoDYmxrEgkvZGV2' +
    'L3h2ZGGyARkKDSILCIJHEgZoZWFsdGgQABgAIAAoADAeugESCgNjcHUSC05vdFJlcXVpcmVkugEaCgZtZW1vcnkSEFJlc3RhcnRD' +
    'b250YWluZXISTQoDd2luEhdtY3IubWljcm9zb2Z0LmNvbS9wYXVzZSoAQgBqAHIAehlSFwoEc3BlYxoNQ29udGFpbmVyVXNlciAA' +
    'gAEAiAEAkAEAogEAEjEKA2RiZxIHYnVzeWJveBoFc2xlZXAaAjFkKgBCAGoAcgCAAQCIAQCQAQCiAQRGaWxlGgZBbHdheXMgACjY' +
    'BDIETm9uZToZChBrdWJlcm5ldGVzLmlvL29zEgVsaW51eEICc2FKAFIAWABgAWgAcnIKDAoBdRIBchoBdCIBbBDoBxgBIKAfIIgn' +
    'KNAPMLgXOhoKEm5ldC5jb3JlLnNvbWF4Y29ubhIEMTAyNEoOT25Sb290TWlzbWF0Y2hSEwoJTG9jYWxob3N0EgZwLmpzb25iBU1l' +
    'cmdlaglSZWN1cnNpdmV6CQoHcmVnY3JlZIIBAWiKAQNzdWKSAbIBCkgKMAouChAKBHpvbmUSAkluGgFhGgFiEhoKDW1ldGFkYXRh' +
    'Lm5hbWUSBU5vdEluGgJuMRIUCAoSEAoOCgRkaXNrEgZFeGlzdHMSQgpACgsKCQoDYXBwEgJkYhIEZGF0YRoWa3ViZXJuZXRlcy5p' +
    'by9ob3N0bmFtZSIAKhFwb2QtdGVtcGxhdGUtaGFzaBoiEiAIZBIcChESDwoDYXBwEgJJbhoEcmljaBoEem9uZTIBeJoBEWRlZmF1' +
    'bHQtc2NoZWR1bGVyogE6CgRpbml0EgdidXN5Ym94GgJzaBoCLWMaBHRydWUqAEIAagByAIABAIgBAJABAKIBAMIBBkFsd2F5c6gB' +
    'ALIBGQoBaxIFRXF1YWwaAXYiCk5vU2NoZWR1bGWyARkKABIGRXhpc3RzGgAiCU5vRXhlY3V0ZSgAugEcCggxMC4wLjAuMRIHYS5s' +
    'b2NhbBIHYi5sb2NhbMIBA2xvd8gB+///////////AdIBKQoHMS4xLjEuMRIJc3ZjLmxvY2FsGgoKBW5kb3RzEgEyGgcKBWVkbnMw' +
    '2AEB4gETChFleGFtcGxlLmNvbS9yZWFkeeoBBmd2aXNvcvABAPoBBU5ldmVyggIMCgNjcHUSBQoDMTBtigI8CAESBHpvbmUaDURv' +
    'Tm90U2NoZWR1bGUiDQoLCgNhcHASBHJpY2goAjIFSG9ub3I6Bklnbm9yZUIDcmV2mAIBogIHCgVsaW51eKgCALICEgoQZXhhbXBs' +
    'ZS5jb20vZ2F0ZboCDgoDZ3B1IgdncHUtdHBswgIMCgoKA2NwdRIDCgEyGhAKABoAIgAqADIASgBaAHIAGgAiAA==',
  'base64',
);

/** What the capture server answered to kubectl's GET of the pod it copied into KUBECTL_DEBUG_COPY_RICH. */
const RICH_SOURCE_SPEC: Record<string, unknown> = {
  volumes: [
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'plain', emptyDir: {} },
    { name: 'sec', secret: { secretName: 's1', items: [{ key: 'k', path: 'p', mode: 256 }], defaultMode: 420, optional: true } },
    { name: 'cm', configMap: { name: 'c1', items: [{ key: 'a', path: 'b' }], defaultMode: 511 } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
    {
      name: 'dapi',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
          { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
        ],
        defaultMode: 292,
      },
    },
    {
      name: 'proj',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { audience: 'api', expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { secret: { name: 's2', optional: false } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ],
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always', resources: {} }],
  containers: [
    {
      name: 'main',
      image: 'nginx:1.27',
      workingDir: '/srv',
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { containerPort: 9090, hostPort: 19090, hostIP: '0.0.0.0', protocol: 'UDP' },
      ],
      envFrom: [{ prefix: 'CM_', configMapRef: { name: 'c1', optional: true } }, { secretRef: { name: 's1' } }],
      env: [
        { name: 'PLAIN', value: 'v' },
        { name: 'EMPTY' },
        { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CMK', valueFrom: { configMapKeyRef: { name: 'c1', key: 'k', optional: false } } },
        { name: 'SK', valueFrom: { secretKeyRef: { name: 's1', key: 'pw' } } },
      ],
      resources: {
        limits: { cpu: '1', memory: '128Mi' },
        requests: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '1Gi' },
        claims: [{ name: 'gpu', request: 'r1' }],
      },
      resizePolicy: [
        { resourceName: 'cpu', restartPolicy: 'NotRequired' },
        { resourceName: 'memory', restartPolicy: 'RestartContainer' },
      ],
      volumeMounts: [
        { name: 'host', mountPath: '/host', readOnly: true, mountPropagation: 'HostToContainer' },
        { name: 'scratch', mountPath: '/scratch', subPath: 'x' },
        { name: 'sec', mountPath: '/sec', subPathExpr: '$(POD)', recursiveReadOnly: 'Disabled' },
      ],
      volumeDevices: [{ name: 'blk', devicePath: '/dev/xvda' }],
      livenessProbe: {
        httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-A', value: 'b' }] },
        initialDelaySeconds: 3,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        terminationGracePeriodSeconds: 0,
      },
      readinessProbe: { tcpSocket: { port: 8080 } },
      startupProbe: { grpc: { port: 9090, service: 'health' }, failureThreshold: 30 },
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hi'] } }, preStop: { sleep: { seconds: 5 } } },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      imagePullPolicy: 'IfNotPresent',
      securityContext: {
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        privileged: false,
        seLinuxOptions: { level: 's0:c1,c2' },
        runAsUser: 1000,
        runAsGroup: 0,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        procMount: 'Default',
        seccompProfile: { type: 'RuntimeDefault' },
        appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-default' },
      },
      stdin: true,
      tty: true,
    },
    {
      name: 'win',
      image: 'mcr.microsoft.com/pause',
      resources: {},
      securityContext: { windowsOptions: { gmsaCredentialSpecName: 'spec', runAsUserName: 'ContainerUser', hostProcess: false } },
    },
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 0,
  activeDeadlineSeconds: 600,
  dnsPolicy: 'None',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  serviceAccountName: 'sa',
  automountServiceAccountToken: false,
  hostNetwork: false,
  hostPID: true,
  shareProcessNamespace: true,
  securityContext: {
    runAsUser: 1000,
    runAsGroup: 3000,
    runAsNonRoot: true,
    fsGroup: 2000,
    supplementalGroups: [4000, 5000],
    supplementalGroupsPolicy: 'Merge',
    sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
    seLinuxChangePolicy: 'Recursive',
    seLinuxOptions: { user: 'u', role: 'r', type: 't', level: 'l' },
  },
  imagePullSecrets: [{ name: 'regcred' }],
  hostname: 'h',
  subdomain: 'sub',
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }],
            matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }],
          },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { app: 'db' } },
          namespaces: ['data'],
          topologyKey: 'kubernetes.io/hostname',
          namespaceSelector: {},
          matchLabelKeys: ['pod-template-hash'],
        },
      ],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['rich'] }] },
            topologyKey: 'zone',
            mismatchLabelKeys: ['x'],
          },
        },
      ],
    },
  },
  schedulerName: 'default-scheduler',
  tolerations: [
    { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' },
    { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
  ],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['a.local', 'b.local'] }],
  priorityClassName: 'low',
  priority: -5,
  dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
  readinessGates: [{ conditionType: 'example.com/ready' }],
  runtimeClassName: 'gvisor',
  enableServiceLinks: false,
  preemptionPolicy: 'Never',
  overhead: { cpu: '10m' },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'rich' } },
      minDomains: 2,
      nodeAffinityPolicy: 'Honor',
      nodeTaintsPolicy: 'Ignore',
      matchLabelKeys: ['rev'],
    },
  ],
  setHostnameAsFQDN: true,
  os: { name: 'linux' },
  hostUsers: false,
  schedulingGates: [{ name: 'example.com/gate' }],
  resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'gpu-tpl' }],
  resources: { limits: { cpu: '2' } },
};

describe('decodePod', () => {
  it('decodes the Pod that kubectl debug --copy-to really sends', () => {
    expect(decodePod(KUBECTL_DEBUG_COPY)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-debug',
        namespace: 'default',
        annotations: { note: 'x' },
      },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            command: ['nginx'],
            args: ['-g', 'daemon off;'],
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'Always',
          },
          {
            name: 'side',
            image: 'busybox',
            command: ['sleep', '3600'],
            resources: {
              limits: { cpu: '500m', memory: '64Mi' },
              requests: { cpu: '100m' },
            },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
          {
            name: 'dbg',
            image: 'busybox',
            command: ['sleep', '1d'],
            resources: {},
            terminationMessagePolicy: 'File',
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        serviceAccount: 'default',
        securityContext: {},
        schedulerName: 'default-scheduler',
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
        priority: 0,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    });
  });

  it('decodes every kind of field kubectl really sends, as JSON would have carried it', () => {
    // kubectl read RICH_SOURCE_SPEC, added its debug container and sent the copy as protobuf. Go's JSON
    // would omit `hostNetwork: false` (a non-pointer bool); pointer zeros (privileged: false, priority...) stay.
    const { hostNetwork, ...spec } = RICH_SOURCE_SPEC;
    expect(hostNetwork).toBe(false);
    // kubectl dropped the labels despite --keep-labels; the copy carries only name, namespace and annotations.
    const dbg = { name: 'dbg', image: 'busybox', command: ['sleep', '1d'], resources: {}, terminationMessagePolicy: 'File' };
    expect(decodePod(KUBECTL_DEBUG_COPY_RICH)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'rich-debug', namespace: 'default', annotations: { 'a.example.com/x': '1' } },
      spec: { ...spec, containers: [...(spec.containers as object[]), dbg] },
    });
  });

  it('decodes a Pod shaped like a debug copy, dropping the zero values Go writes and JSON omits', () => {
    const body = envelope(
      Buffer.concat([
        msg(
          1,
          str(1, 'web-debug'),
          str(2, ''),
          str(3, 'default'),
          int(7, 0),
          msg(8),
          entry(11, 'app', 'web'),
          entry(11, 'tier', ''),
          entry(12, 'note', 'x'),
        ),
        msg(
          2,
          ...['app', 'side', 'dbg'].map(name =>
            msg(
              2,
              str(1, name),
              str(2, 'busybox'),
              str(3, 'sleep'),
              str(4, '1d'),
              str(5, ''),
              msg(8),
              str(13, '/dev/termination-log'),
              str(14, 'IfNotPresent'),
              bool(16, false),
              bool(17, false),
              bool(18, false),
              str(20, 'File'),
            ),
          ),
          str(3, 'Never'),
          int(4, 30),
          str(6, 'ClusterFirst'),
          str(8, 'default'),
          str(10, ''),
          bool(11, false),
          msg(14),
          str(19, 'default-scheduler'),
          msg(22, str(1, 'node.kubernetes.io/not-ready'), str(2, 'Exists'), str(3, ''), str(4, 'NoExecute'), int(5, 300)),
          int(25, 0),
          bool(30, true),
          str(31, 'PreemptLowerPriority'),
        ),
        msg(3, str(1, 'Running')),
      ]),
    );
    const c = (name: string) => ({
      name,
      image: 'busybox',
      command: ['sleep'],
      args: ['1d'],
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(decodePod(body)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-debug',
        namespace: 'default',
        labels: { app: 'web', tier: '' },
        annotations: { note: 'x' },
      },
      spec: {
        containers: [c('app'), c('side'), c('dbg')],
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        securityContext: {},
        schedulerName: 'default-scheduler',
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
        priority: 0,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    });
  });

  it('decodes every ObjectMeta field, with times as RFC3339 and managedFields dropped', () => {
    const owner = msg(13, str(1, 'ReplicaSet'), str(3, 'web-7d9'), str(4, 'uid-1'), str(5, 'apps/v1'), bool(6, true), bool(7, false));
    const body = envelope(
      Buffer.concat([
        msg(
          1,
          str(1, 'web'),
          str(2, 'web-'),
          str(3, 'prod'),
          str(4, '/api/v1/namespaces/prod/pods/web'),
          str(5, 'uid-2'),
          str(6, '42'),
          int(7, 3),
          msg(8, int(1, 1700000000), int(2, 123456789)),
          msg(9, int(1, 1700000030)),
          int(10, 0),
          entry(11, 'app', 'web'),
          entry(12, 'a', 'b'),
          owner,
          str(14, 'example.com/cleanup'),
          str(14, 'foregroundDeletion'),
          msg(17, str(1, 'kubectl'), str(2, 'Update')),
        ),
        msg(2, msg(2, container('c'))),
      ]),
    );
    expect(decodePod(body).metadata).toStrictEqual({
      name: 'web',
      generateName: 'web-',
      namespace: 'prod',
      selfLink: '/api/v1/namespaces/prod/pods/web',
      uid: 'uid-2',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z',
      deletionTimestamp: '2023-11-14T22:13:50Z',
      deletionGracePeriodSeconds: 0,
      labels: { app: 'web' },
      annotations: { a: 'b' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
      finalizers: ['example.com/cleanup', 'foregroundDeletion'],
    });
  });

  it('flattens ephemeral containers and embedded structs into their parent, as JSON does', () => {
    const ephemeral = msg(34, msg(1, container('debugger', str(3, 'sh'))), str(2, 'app'));
    const probe = msg(10, msg(1, msg(2, str(1, '/'), msg(2, int(1, 0), int(2, 8080), str(3, '')), str(3, ''), str(4, ''))), int(2, 0), int(4, 5));
    const { spec } = decodePod(podWithSpec(msg(2, container('app', probe)), ephemeral)) as { spec: Record<string, unknown> };
    expect(spec.ephemeralContainers).toStrictEqual([
      {
        name: 'debugger',
        image: 'busybox',
        command: ['sh'],
        resources: {},
        targetContainerName: 'app',
      },
    ]);
    expect((spec.containers as Array<Record<string, unknown>>)[0].livenessProbe).toStrictEqual({
      httpGet: { path: '/', port: 8080 },
      periodSeconds: 5,
    });
  });

  it('reads negative and 64-bit integers, packed repeated ints and quantities', () => {
    const securityContext = msg(14, int(2, 2n ** 40n), bytes(4, Buffer.concat([varint(1), varint(300)])), int(4, 7));
    const { spec } = decodePod(
      podWithSpec(msg(2, container('c', msg(8, quantityEntry(1, 'memory', '1Gi'), quantityEntry(2, 'cpu', '100m')))), securityContext, int(25, -1)),
    ) as { spec: Record<string, unknown> };
    expect(spec.priority).toBe(-1);
    expect(spec.securityContext).toStrictEqual({
      runAsUser: 2 ** 40,
      supplementalGroups: [1, 300, 7],
    });
    expect((spec.containers as Array<Record<string, unknown>>)[0].resources).toStrictEqual({ limits: { memory: '1Gi' }, requests: { cpu: '100m' } });
  });

  it('refuses a field it does not know, naming the message and the field number', () => {
    expect(rejection(podWithSpec(msg(2, container('c')), str(43, 'x')))).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'the sandbox cannot decode field 43 of the protobuf PodSpec; send the object as JSON',
    });
    const nfs = msg(1, str(1, 'data'), msg(2, msg(7, str(1, 'server'), str(2, '/export'))));
    expect(rejection(podWithSpec(nfs, msg(2, container('c')))).message).toBe(
      'the sandbox cannot decode field 7 of the protobuf VolumeSource; send the object as JSON',
    );
  });

  it('refuses a field of the wrong wire type', () => {
    expect(rejection(podWithSpec(msg(2, container('c')), str(4, '30'))).message).toBe(
      'field 4 of the protobuf PodSpec is bytes where the sandbox expects a varint; send the object as JSON',
    );
    expect(rejection(podWithSpec(int(2, 1))).message).toBe(
      'field 2 of the protobuf PodSpec is a varint where the sandbox expects bytes; send the object as JSON',
    );
  });

  it('refuses other kinds, truncated bodies and JSON', () => {
    expect(rejection(envelope(Buffer.alloc(0), 'apps/v1', 'Deployment')).message).toBe(
      'the sandbox decodes only v1 Pods from protobuf, not apps/v1 Deployment; send the object as JSON',
    );
    const whole = podWithSpec(msg(2, container('c')));
    expect(rejection(whole.subarray(0, whole.length - 3)).code).toBe(400);
    expect(rejection(Buffer.from('{"kind":"Pod"}')).code).toBe(400);
  });
});

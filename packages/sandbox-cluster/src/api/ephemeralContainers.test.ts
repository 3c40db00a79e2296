import { ContainerSpec, Pod } from '../store/pod';
import {
  checkEphemeralContainersUpdate,
  mergeEphemeralContainers,
  validateEphemeralContainersUpdate,
  withEphemeralContainerDefaults,
} from './ephemeralContainers';
import { StatusError } from './status';

function makePod(ephemeralContainers?: ContainerSpec[], extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1', resourceVersion: '10' },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'nginx' }],
      ...(ephemeralContainers ? { ephemeralContainers } : {}),
      ...extra,
    },
  };
}

/** What kubectl debug 1.29–1.33 sends for `kubectl debug -it p --image=busybox --target=app`. */
const kubectlDebugger: ContainerSpec = {
  name: 'debugger-abcde',
  image: 'busybox',
  stdin: true,
  tty: true,
  targetContainerName: 'app',
  terminationMessagePolicy: 'File',
  resources: {},
};

/** Validates adding `container` as the only ephemeral container. */
const errorsFor = (container: Record<string, unknown>) =>
  validateEphemeralContainersUpdate(makePod(), makePod([container as ContainerSpec]));

const FORBIDDEN = 'Forbidden: cannot be set for an Ephemeral Container';
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('validateEphemeralContainersUpdate', () => {
  it('accepts what kubectl debug sends, including "resources": {}', () => {
    expect(validateEphemeralContainersUpdate(makePod(), makePod([kubectlDebugger]))).toEqual([]);
  });

  it('accepts every allowed field', () => {
    expect(
      errorsFor({
        ...kubectlDebugger,
        command: ['sh'],
        args: ['-c', 'true'],
        workingDir: '/tmp',
        env: [{ name: 'A', value: '1' }],
        envFrom: [{ configMapRef: { name: 'cm' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        volumeDevices: [{ name: 'dev', devicePath: '/dev/x' }],
        terminationMessagePath: '/dev/termination-log',
        imagePullPolicy: 'IfNotPresent',
        securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
        stdinOnce: true,
        targetContainerName: 'init',
      }),
    ).toEqual([]);
  });

  it.each([
    ['ports', [{ containerPort: 80 }]],
    ['ports', []],
    ['resources', { limits: { cpu: '1' } }],
    ['resources', { requests: {} }],
    ['livenessProbe', { exec: { command: ['true'] } }],
    ['readinessProbe', {}],
    ['startupProbe', { tcpSocket: { port: 80 } }],
    ['lifecycle', { preStop: { exec: { command: ['true'] } } }],
    ['restartPolicy', 'Always'],
    ['resizePolicy', [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }]],
    ['somethingNew', 'x'],
  ])('forbids %s = %j', (field, value) => {
    expect(errorsFor({ ...kubectlDebugger, [field]: value })).toEqual([
      { field: `spec.ephemeralContainers[0].${field}`, type: 'FieldValueForbidden', message: FORBIDDEN },
    ]);
  });

  it('reports forbidden fields in Go struct order', () => {
    const errors = errorsFor({ ...kubectlDebugger, lifecycle: {}, ports: [{ containerPort: 1 }], resources: { limits: { cpu: '1' } } });
    expect(errors.map(e => e.field)).toEqual([
      'spec.ephemeralContainers[0].ports',
      'spec.ephemeralContainers[0].resources',
      'spec.ephemeralContainers[0].lifecycle',
    ]);
  });

  it('forbids subPath and subPathExpr on volume mounts', () => {
    const errors = errorsFor({
      ...kubectlDebugger,
      volumeMounts: [
        { name: 'a', mountPath: '/a' },
        { name: 'b', mountPath: '/b', subPath: 'x', subPathExpr: '$(POD)' },
      ],
    });
    expect(errors).toEqual([
      { field: 'spec.ephemeralContainers[0].volumeMounts[1].subPath', type: 'FieldValueForbidden', message: FORBIDDEN },
      { field: 'spec.ephemeralContainers[0].volumeMounts[1].subPathExpr', type: 'FieldValueForbidden', message: FORBIDDEN },
    ]);
  });

  it.each([
    ['a missing name', { image: 'busybox' }, [{ field: 'name', type: 'FieldValueRequired', message: 'Required value' }]],
    [
      'a name that is not a DNS label',
      { name: 'Debug_1', image: 'busybox' },
      [{ field: 'name', type: 'FieldValueInvalid', message: `Invalid value: "Debug_1": ${DNS_LABEL}` }],
    ],
    [
      'a name longer than 63 characters',
      { name: 'a'.repeat(64), image: 'busybox' },
      [{ field: 'name', type: 'FieldValueInvalid', message: `Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters` }],
    ],
    ['a missing image', { name: 'dbg' }, [{ field: 'image', type: 'FieldValueRequired', message: 'Required value' }]],
    ['a name taken by a container', { name: 'app', image: 'busybox' }, [{ field: 'name', type: 'FieldValueDuplicate', message: 'Duplicate value: "app"' }]],
    ['a name taken by an init container', { name: 'init', image: 'busybox' }, [{ field: 'name', type: 'FieldValueDuplicate', message: 'Duplicate value: "init"' }]],
    [
      'an unknown target container',
      { name: 'dbg', image: 'busybox', targetContainerName: 'nope' },
      [{ field: 'targetContainerName', type: 'FieldValueNotFound', message: 'Not found: "nope"' }],
    ],
    [
      'an unsupported terminationMessagePolicy',
      { name: 'dbg', image: 'busybox', terminationMessagePolicy: 'Sometimes' },
      [
        {
          field: 'terminationMessagePolicy',
          type: 'FieldValueNotSupported',
          message: 'Unsupported value: "Sometimes": supported values: "File", "FallbackToLogsOnError"',
        },
      ],
    ],
    [
      'an unsupported imagePullPolicy',
      { name: 'dbg', image: 'busybox', imagePullPolicy: 'Maybe' },
      [
        {
          field: 'imagePullPolicy',
          type: 'FieldValueNotSupported',
          message: 'Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"',
        },
      ],
    ],
  ])('reports %s', (_, container, expected) => {
    expect(errorsFor(container)).toEqual(expected.map(e => ({ ...e, field: `spec.ephemeralContainers[0].${e.field}` })));
  });

  it('reports duplicates among ephemeral containers and refuses an ephemeral target', () => {
    const first = { name: 'one', image: 'busybox' };
    const errors = validateEphemeralContainersUpdate(
      makePod([first]),
      makePod([first, { name: 'one', image: 'busybox' }, { name: 'two', image: 'busybox', targetContainerName: 'one' }]),
    );
    expect(errors).toEqual([
      { field: 'spec.ephemeralContainers[1].name', type: 'FieldValueDuplicate', message: 'Duplicate value: "one"' },
      { field: 'spec.ephemeralContainers[2].targetContainerName', type: 'FieldValueNotFound', message: 'Not found: "one"' },
    ]);
  });

  it('forbids removing an existing ephemeral container', () => {
    const old = { name: 'old', image: 'busybox' };
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod([kubectlDebugger]))).toEqual([
      {
        field: 'spec.ephemeralContainers',
        type: 'FieldValueForbidden',
        message: 'Forbidden: existing ephemeral containers "old" may not be removed\n',
      },
    ]);
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod())).toHaveLength(1);
  });

  it('forbids changing an existing ephemeral container', () => {
    const old = { name: 'old', image: 'busybox', command: ['sh'] };
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod([{ ...old, image: 'alpine' }]))).toEqual([
      {
        field: 'spec.ephemeralContainers',
        type: 'FieldValueForbidden',
        message: 'Forbidden: existing ephemeral containers "old" may not be changed\n',
      },
    ]);
  });

  it('compares existing containers deeply, ignoring key order, list position, zero values and defaults', () => {
    const old: ContainerSpec = { name: 'old', image: 'busybox', env: [{ name: 'A', value: '1' }], securityContext: { privileged: true } };
    const same: ContainerSpec = {
      securityContext: { privileged: true },
      env: [{ value: '1', name: 'A' }],
      image: 'busybox',
      name: 'old',
      stdin: false,
      resources: {},
      command: [],
    };
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod([kubectlDebugger, same]))).toEqual([]);
    const defaulted = { ...old, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod([defaulted]))).toEqual([]);
    const changedDeep = { ...same, securityContext: { privileged: false } };
    expect(validateEphemeralContainersUpdate(makePod([old]), makePod([changedDeep]))).toHaveLength(1);
  });

  it('refuses any change to a static pod with the one upstream error', () => {
    const mirror = makePod();
    mirror.metadata.annotations = { 'kubernetes.io/config.mirror': 'abc' };
    expect(validateEphemeralContainersUpdate(mirror, makePod([{ name: 'x' } as ContainerSpec]))).toEqual([
      { field: '', type: 'FieldValueForbidden', message: 'Forbidden: static pods do not support ephemeral containers' },
    ]);
  });
});

describe('checkEphemeralContainersUpdate', () => {
  it('passes a valid update', () => {
    expect(() => checkEphemeralContainersUpdate(makePod(), makePod([kubectlDebugger]))).not.toThrow();
  });

  it('throws the apiserver 422 for kind Pod', () => {
    let error: unknown;
    try {
      checkEphemeralContainersUpdate(makePod(), makePod([{ ...kubectlDebugger, ports: [{ containerPort: 80 }] }]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatusError);
    expect(JSON.stringify((error as StatusError).status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \\"p\\" is invalid: spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container","reason":"Invalid","details":{"name":"p","kind":"Pod","causes":[{"reason":"FieldValueForbidden","message":"Forbidden: cannot be set for an Ephemeral Container","field":"spec.ephemeralContainers[0].ports"}]},"code":422}',
    );
  });
});

describe('mergeEphemeralContainers', () => {
  it('takes only the ephemeral containers (and identity fields) from the submitted pod', () => {
    const current = makePod([{ name: 'old', image: 'busybox' }]);
    current.metadata.labels = { app: 'web' };
    const submitted = makePod([{ name: 'old', image: 'busybox' }, kubectlDebugger], { nodeName: 'elsewhere' });
    submitted.metadata.labels = { app: 'changed' };
    submitted.metadata.resourceVersion = '11';
    submitted.spec.containers = [{ name: 'app', image: 'evil' }];
    submitted.status = { phase: 'Failed' };

    const merged = mergeEphemeralContainers(current, submitted);
    expect(merged).toEqual({
      ...current,
      metadata: { ...current.metadata, resourceVersion: '11' },
      spec: { ...current.spec, ephemeralContainers: [{ name: 'old', image: 'busybox' }, kubectlDebugger] },
    });
    expect(merged.spec.ephemeralContainers).not.toBe(submitted.spec.ephemeralContainers);
    expect(current.spec.ephemeralContainers).toHaveLength(1);
  });

  it('drops the list when the submitted pod has none, so validation reports the removal', () => {
    const current = makePod([{ name: 'old', image: 'busybox' }]);
    const merged = mergeEphemeralContainers(current, makePod());
    expect(merged.spec.ephemeralContainers).toBeUndefined();
    expect(validateEphemeralContainersUpdate(current, merged)).toHaveLength(1);
  });
});

describe('withEphemeralContainerDefaults', () => {
  it.each([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['registry.local:5000/busybox', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
    ['busybox@sha256:0123', 'IfNotPresent'],
  ])('defaults %s to imagePullPolicy %s, plus the termination message fields', (image, policy) => {
    const pod = makePod([{ name: 'dbg', image }]);
    expect(withEphemeralContainerDefaults(pod).spec.ephemeralContainers).toEqual([
      { name: 'dbg', image, imagePullPolicy: policy, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' },
    ]);
    expect(pod.spec.ephemeralContainers).toEqual([{ name: 'dbg', image }]);
  });

  it('keeps values that are set', () => {
    const container = { name: 'dbg', image: 'x', imagePullPolicy: 'Never', terminationMessagePath: '/m', terminationMessagePolicy: 'FallbackToLogsOnError' };
    expect(withEphemeralContainerDefaults(makePod([container])).spec.ephemeralContainers).toEqual([container]);
  });
});

import { applyJsonPatch, applyMergePatch, applyPatch, applyStrategicMergePatch, MergeSchema } from './patch';
import { Status, StatusError } from './status';

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';

/** Freezes a test input all the way down, so any mutation by the code under test throws. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

/** True if any object in `value` is frozen, i.e. shared with a (frozen) input. */
function sharesInput(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.isFrozen(value) || Object.values(value).some(sharesInput);
}

function statusOf(fn: () => unknown): Status {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e.status;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('applyPatch content types', () => {
  it('answers an unknown media type with the apiserver 415 body', () => {
    const status = statusOf(() => applyPatch({}, 'application/json', {}));
    expect(JSON.stringify(status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json","reason":"UnsupportedMediaType","code":415}',
    );
  });

  it('refuses server-side apply with a 415 that says why', () => {
    const status = statusOf(() => applyPatch({}, 'application/apply-patch+yaml', 'a: b'));
    expect(status.code).toBe(415);
    expect(status.reason).toBe('UnsupportedMediaType');
    expect(status.message).toMatch(/^server-side apply \(application\/apply-patch\+yaml\) is not supported/);
  });

  it('ignores media type parameters and accepts raw text or bytes', () => {
    const target = frozen({ a: 1 });
    expect(applyPatch(target, `${MERGE_PATCH}; charset=utf-8`, '{"b":2}')).toEqual({ a: 1, b: 2 });
    expect(applyPatch(target, JSON_PATCH, new TextEncoder().encode('[{"op":"remove","path":"/a"}]'))).toEqual({});
    expect(statusOf(() => applyPatch(target, SMP, '{nope')).message).toMatch(/^error decoding patch: /);
  });

  it('dispatches each type to its algorithm', () => {
    const pod = frozen({ spec: { containers: [{ name: 'a', image: 'x' }] } });
    const containers = [{ name: 'b', image: 'y' }];
    expect(applyPatch(pod, MERGE_PATCH, { spec: { containers } })).toEqual({ spec: { containers } });
    expect(applyPatch(pod, SMP, { spec: { containers } })).toEqual({
      spec: { containers: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }] },
    });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it.each([
    ['adds an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['adds an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['appends with -', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
    ['adds at a negative index (counted from the end)', { foo: [1, 2] }, [{ op: 'add', path: '/foo/-1', value: 9 }], { foo: [1, 2, 9] }],
    ['adds a nested member', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['removes a member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['removes an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['removes the last element by -1', { foo: [1, 2, 3] }, [{ op: 'remove', path: '/foo/-1' }], { foo: [1, 2] }],
    ['replaces a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['replaces a missing member by adding it (as the apiserver does)', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['replaces the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    [
      'moves a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['moves an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['copies a value', { a: { x: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { x: [1] }, b: { x: [1] } }],
    [
      'passes tests',
      { baz: 'qux', foo: ['a', 2, 'c'], n: null },
      [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
        { op: 'test', path: '/foo', value: ['a', 2, 'c'] },
        { op: 'test', path: '/n', value: null },
        { op: 'test', path: '/absent', value: null },
      ],
      { baz: 'qux', foo: ['a', 2, 'c'], n: null },
    ],
    ['decodes ~1 and ~0, in that order', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }, { op: 'remove', path: '/~1' }], { '~1': 10 }],
    [
      'appends an ephemeral container to an existing list',
      { spec: { ephemeralContainers: [{ name: 'old' }] } },
      [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'new' } }],
      { spec: { ephemeralContainers: [{ name: 'old' }, { name: 'new' }] } },
    ],
  ])('%s', (_, target, patch, expected) => {
    const result = applyJsonPatch(frozen(target), frozen(patch));
    expect(result).toEqual(expected);
    expect(sharesInput(result)).toBe(false);
  });

  it('copies by value, so the copy and its source are independent', () => {
    const result = applyJsonPatch({ a: { x: 1 } }, [{ op: 'copy', from: '/a', path: '/b' }]) as Record<string, unknown>;
    expect(result.b).not.toBe(result.a);
  });

  it.each([
    [
      'add into a missing parent',
      { spec: { containers: [] } },
      [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'debugger' } }],
      'add operation does not apply: doc is missing path: "/spec/ephemeralContainers/-": missing value',
    ],
    ['a failed test', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'testing value /baz failed: test failed'],
    ['a test of an absent member', { a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 'testing value /b failed: test failed'],
    ['removing an absent member', { a: 1 }, [{ op: 'remove', path: '/x' }], "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value"],
    ['removing under a missing parent', { a: 1 }, [{ op: 'remove', path: '/x/y' }], 'remove operation does not apply: doc is missing path: "/x/y": missing value'],
    [
      'an index past the end',
      { foo: [1] },
      [{ op: 'add', path: '/foo/5', value: 2 }],
      "error in add for path: '/foo/5': Unable to access invalid index: 5: invalid index referenced",
    ],
    [
      'a non-numeric index',
      { foo: [1] },
      [{ op: 'add', path: '/foo/x', value: 2 }],
      `error in add for path: '/foo/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    ],
    ['replacing past the end', { foo: [1] }, [{ op: 'replace', path: '/foo/3', value: 2 }], 'replace operation does not apply: doc is missing key: /foo/3: missing value'],
    ['moving an absent member', { a: 1 }, [{ op: 'move', from: '/nope', path: '/b' }], "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value"],
    ['copying from a missing parent', { a: 1 }, [{ op: 'copy', from: '/x/y', path: '/b' }], 'copy operation does not apply: doc is missing from path: /x/y: missing value'],
    ['an unknown op', {}, [{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
    ['an op without a path', {}, [{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value'],
    ['a body that is not a list', {}, { op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['an operation that is not an object', {}, ['add'], 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
    ['a null operation', {}, [null], 'Unexpected kind: unknown'],
  ])('rejects %s with a 400 naming it', (_, target, patch, message) => {
    const status = statusOf(() => applyJsonPatch(frozen(target), frozen(patch)));
    expect(status).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('treats a null body as an empty patch', () => {
    expect(applyJsonPatch(frozen({ a: [1] }), null)).toEqual({ a: [1] });
  });

  it('applies nothing when a later operation fails', () => {
    const target = frozen({ a: 1 });
    expect(() =>
      applyJsonPatch(target, [
        { op: 'add', path: '/b', value: 2 },
        { op: 'test', path: '/a', value: 2 },
      ]),
    ).toThrow(StatusError);
    expect(target).toEqual({ a: 1 });
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  // RFC 7386 appendix A, except for the non-object patch documents the apiserver refuses.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    const result = applyMergePatch(frozen(target), frozen(patch));
    expect(result).toEqual(expected);
    expect(sharesInput(result)).toBe(false);
  });

  it.each([null, 'bar', 3])('rejects the patch document %j', patch => {
    expect(statusOf(() => applyMergePatch({ a: 1 }, patch))).toMatchObject({ code: 400, message: 'Invalid JSON Patch' });
  });

  it('replaces lists wholesale, e.g. all ephemeral containers', () => {
    const pod = frozen({ spec: { ephemeralContainers: [{ name: 'old', image: 'a' }] } });
    expect(applyMergePatch(pod, { spec: { ephemeralContainers: [{ name: 'new', image: 'b' }] } })).toEqual({
      spec: { ephemeralContainers: [{ name: 'new', image: 'b' }] },
    });
  });
});

describe('strategic merge patch', () => {
  const debugger1 = {
    name: 'debugger-abcde',
    image: 'busybox',
    stdin: true,
    tty: true,
    targetContainerName: 'app',
    terminationMessagePolicy: 'File',
    resources: {},
  };
  const pod = (spec: Record<string, unknown>) =>
    frozen({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

  describe('kubectl debug patches (CreateTwoWayMergePatch)', () => {
    it('adds the first ephemeral container', () => {
      const current = pod({ containers: [{ name: 'app', image: 'nginx' }] });
      const result = applyPatch(current, SMP, frozen({ spec: { ephemeralContainers: [debugger1] } }));
      expect(result).toEqual({ ...current, spec: { containers: [{ name: 'app', image: 'nginx' }], ephemeralContainers: [debugger1] } });
      expect(sharesInput(result)).toBe(false);
    });

    it('adds one after an existing ephemeral container, in $setElementOrder order', () => {
      const old = { name: 'old', image: 'alpine', terminationMessagePolicy: 'File', resources: {} };
      const current = pod({ containers: [{ name: 'app', image: 'nginx' }], ephemeralContainers: [old] });
      const patch = frozen({
        spec: {
          '$setElementOrder/ephemeralContainers': [{ name: 'old' }, { name: 'debugger-abcde' }],
          ephemeralContainers: [debugger1],
        },
      });
      const result = applyPatch(current, SMP, patch) as { spec: Record<string, unknown> };
      expect(result.spec.ephemeralContainers).toEqual([old, debugger1]);
      expect(Object.keys(result.spec)).toEqual(['containers', 'ephemeralContainers']);
    });
  });

  it('merges container lists by name and env by name, recursively', () => {
    const current = pod({
      containers: [
        { name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] },
        { name: 'side', image: 'envoy' },
      ],
    });
    const result = applyStrategicMergePatch(
      current,
      frozen({ spec: { containers: [{ name: 'app', image: 'nginx:2', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }] } }),
    );
    expect(result).toEqual(
      pod({
        containers: [
          {
            name: 'app',
            image: 'nginx:2',
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }],
            ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
          },
          { name: 'side', image: 'envoy' },
        ],
      }),
    );
  });

  it('puts items new to a list first when there is no $setElementOrder, as the apiserver does', () => {
    const current = pod({ containers: [{ name: 'app', image: 'a' }], volumes: [{ name: 'v1' }] });
    const result = applyStrategicMergePatch(
      current,
      frozen({ spec: { containers: [{ name: 'sidecar', image: 's' }], volumes: [{ name: 'v1', emptyDir: {} }, { name: 'v2' }] } }),
    );
    expect(result).toMatchObject({
      spec: {
        containers: [{ name: 'sidecar' }, { name: 'app' }],
        volumes: [{ name: 'v1', emptyDir: {} }, { name: 'v2' }],
      },
    });
  });

  const names = (list: unknown) => (list as Array<{ name: unknown }>).map(i => i.name);
  const schema: MergeSchema = { mergingList: { mergeKey: 'name' }, mergingIntList: {} };

  it.each([
    // Cases from apimachinery's strategicpatch tests and the order-preservation design.
    ['patch order wins, server-only items keep their live place', [2, 3, 1], { mergingList: [{ name: 1 }, { name: 2 }, { name: 4 }] }, [3, 1, 2, 4]],
    ['$setElementOrder reorders without a patch list', [1, 3, 4, 2], { '$setElementOrder/mergingList': [{ name: 4 }, { name: 2 }, { name: 3 }, { name: 1 }] }, [4, 2, 3, 1]],
    [
      'server-only items at the end stay there',
      [1, 3, 4, 2, 9],
      { '$setElementOrder/mergingList': [{ name: 4 }, { name: 2 }, { name: 3 }, { name: 1 }] },
      [4, 2, 3, 1, 9],
    ],
    [
      'server-only items in the middle stay between their live neighbours',
      [1, 2, 7, 9, 8, 3, 4],
      { '$setElementOrder/mergingList': [{ name: 2 }, { name: 1 }, { name: 4 }, { name: 3 }] },
      [2, 1, 7, 9, 8, 4, 3],
    ],
    [
      'deletions and additions with $setElementOrder',
      [1, 2, 3],
      { '$setElementOrder/mergingList': [{ name: 3 }, { name: 1 }, { name: 5 }], mergingList: [{ name: 2, $patch: 'delete' }, { name: 5 }] },
      [3, 1, 5],
    ],
    ['$patch: delete removes by key', [1, 2, 3], { mergingList: [{ name: 2, $patch: 'delete' }] }, [1, 3]],
    ['$patch: replace replaces the list', [1, 2, 3], { mergingList: [{ name: 9 }, { $patch: 'replace' }] }, [9]],
  ])('orders map lists: %s', (_, live, patch, expected) => {
    const result = applyStrategicMergePatch(frozen({ mergingList: live.map(name => ({ name })) }), frozen(patch), schema) as Record<string, unknown>;
    expect(names(result.mergingList)).toEqual(expected);
  });

  it.each([
    ['merges as a set', [1, 2], { mergingIntList: [2, 3] }, [1, 2, 3]],
    ['adds in $setElementOrder order', [1, 2], { '$setElementOrder/mergingIntList': [1, 4, 2, 3], mergingIntList: [4, 3] }, [1, 4, 2, 3]],
    [
      'deletes with $deleteFromPrimitiveList',
      [1, 2, 3],
      { '$setElementOrder/mergingIntList': [4, 2, 1], mergingIntList: [4], '$deleteFromPrimitiveList/mergingIntList': [3] },
      [4, 2, 1],
    ],
    ['ignores a deletion from an absent list', undefined, { '$deleteFromPrimitiveList/mergingIntList': [3] }, undefined],
  ])('primitive lists: %s', (_, live, patch, expected) => {
    const result = applyStrategicMergePatch(frozen(live ? { mergingIntList: live } : {}), frozen(patch), schema) as Record<string, unknown>;
    expect(result.mergingIntList).toEqual(expected);
  });

  it('merges and prunes finalizers as a set', () => {
    const current = frozen({ metadata: { name: 'p', finalizers: ['a', 'b'] } });
    expect(applyStrategicMergePatch(current, { metadata: { finalizers: ['b', 'c'] } })).toEqual({ metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } });
    expect(applyStrategicMergePatch(current, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({ metadata: { name: 'p', finalizers: ['b'] } });
  });

  it('merges ownerReferences by uid', () => {
    const ref = (uid: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid });
    const current = frozen({ metadata: { name: 'p', ownerReferences: [ref('u1', 'rs-1')] } });
    const result = applyStrategicMergePatch(current, { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, ref('u2', 'rs-2')] } });
    expect(result).toEqual({ metadata: { name: 'p', ownerReferences: [{ ...ref('u1', 'rs-1'), controller: true }, ref('u2', 'rs-2')] } });
  });

  it('replaces lists without a merge key (tolerations, envFrom, args)', () => {
    const current = pod({
      tolerations: [{ key: 'a', operator: 'Exists' }],
      containers: [{ name: 'app', image: 'x', args: ['1', '2'], envFrom: [{ configMapRef: { name: 'one' } }] }],
    });
    const result = applyStrategicMergePatch(current, {
      spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'app', args: ['3'], envFrom: [{ secretRef: { name: 'two' } }] }] },
    });
    expect(result).toEqual(
      pod({
        tolerations: [{ key: 'b', operator: 'Exists' }],
        containers: [{ name: 'app', image: 'x', args: ['3'], envFrom: [{ secretRef: { name: 'two' } }] }],
      }),
    );
  });

  it('deletes fields set to null, and drops nulls from new values', () => {
    const current = frozen({ metadata: { name: 'p', labels: { a: '1', b: '2' } } });
    expect(applyStrategicMergePatch(current, { metadata: { labels: { a: null, c: '3' }, annotations: { x: null, y: 'z' } } })).toEqual({
      metadata: { name: 'p', labels: { b: '2', c: '3' }, annotations: { y: 'z' } },
    });
  });

  it('honours $patch: replace and $patch: delete on maps', () => {
    const current = frozen({ spec: { securityContext: { runAsUser: 1, fsGroup: 2 }, nodeSelector: { a: 'b' } } });
    expect(applyStrategicMergePatch(current, { spec: { securityContext: { $patch: 'replace', runAsUser: 3 }, nodeSelector: { $patch: 'delete' } } })).toEqual({
      spec: { securityContext: { runAsUser: 3 }, nodeSelector: {} },
    });
  });

  it('honours $retainKeys, and refuses a patch that sets a key it does not retain', () => {
    const current = frozen({ spec: { volumes: [{ name: 'v', hostPath: { path: '/x' } }] } });
    const result = applyStrategicMergePatch(current, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'emptyDir'], emptyDir: {} }] } });
    expect(result).toEqual({ spec: { volumes: [{ name: 'v', emptyDir: {} }] } });
    const status = statusOf(() => applyStrategicMergePatch(current, { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], emptyDir: {} }] } }));
    expect(status).toMatchObject({ code: 400, message: 'invalid patch format of retainKeys' });
  });

  it('resolves directives inside values that are new to the object', () => {
    const current = pod({ containers: [{ name: 'app', image: 'x' }] });
    const result = applyStrategicMergePatch(current, {
      spec: { initContainers: [{ name: 'init', image: 'i', env: [{ name: 'GONE', $patch: 'delete' }, { name: 'KEPT', value: 'v', valueFrom: null }] }] },
    });
    expect(result).toMatchObject({ spec: { initContainers: [{ name: 'init', image: 'i', env: [{ name: 'KEPT', value: 'v' }] }] } });
  });

  it.each([
    ['a merge item without its key', { spec: { containers: [{ image: 'x' }] } }, 'map: map[image:x] does not contain declared merge key: name'],
    ['an unknown $patch', { spec: { containers: [{ name: 'app', $patch: 'frob' }] } }, 'unknown patch type: frob in map: map[$patch:frob name:app]'],
    ['$patch: merge on a list', { spec: { containers: [{ name: 'app', $patch: 'merge' }] } }, 'merging lists cannot yet be specified in the patch'],
    [
      'a patch list out of $setElementOrder order',
      { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } },
      "The order in patch list:\n[map[name:b] map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    ],
    ['a body that is not an object', [{ op: 'add' }], 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a list of lists', { spec: { containers: [['x']] } }, 'lists of lists are not supported'],
  ])('rejects %s with a 400', (_, patch, message) => {
    const current = pod({ containers: [{ name: 'app', image: 'x' }] });
    expect(statusOf(() => applyStrategicMergePatch(current, frozen(patch)))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });
});

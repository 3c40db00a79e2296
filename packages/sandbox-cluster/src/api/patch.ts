/**
 * PATCH bodies as the apiserver applies them: RFC 6902 JSON patch (evanphx/json-patch v4 semantics
 * and error texts), RFC 7386 merge patch, and Kubernetes strategic merge patch
 * (apimachinery `strategicpatch.StrategicMergeMapPatch`, including its list ordering rules).
 *
 * Every function here is pure: inputs are never mutated and results share no structure with them.
 */
import { StatusError, badRequest } from './status';

/** The PATCH media types the apiserver accepts, in the order its 415 message lists them. */
export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
] as const;

/**
 * How a list field merges under a strategic merge patch (the `patchStrategy:"merge"` Go struct tag).
 * With `mergeKey` the items are maps merged by that key; without it the items are primitives merged as
 * an ordered set. Lists absent from a schema are replaced wholesale; maps always merge recursively.
 */
export interface ListStrategy {
  mergeKey?: string;
}

/**
 * List strategies keyed by field path: map keys joined with `.`, list items written `[]`,
 * e.g. `spec.containers[].env`. Add the paths of another kind to patch it strategically.
 */
export type MergeSchema = Readonly<Record<string, ListStrategy>>;

/** Lists inside a core/v1 Container (and EphemeralContainer) that merge by key. */
const CONTAINER_LISTS: Record<string, string> = {
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

function containerListEntries(list: string): Array<[string, ListStrategy]> {
  return [
    [`spec.${list}`, { mergeKey: 'name' }],
    ...Object.entries(CONTAINER_LISTS).map(([field, mergeKey]): [string, ListStrategy] => [
      `spec.${list}[].${field}`,
      { mergeKey },
    ]),
  ];
}

/** The merge lists of core/v1 Pod (k8s.io/api/core/v1 types.go); everything else is replaced. */
export const podMergeSchema: MergeSchema = Object.freeze({
  'metadata.finalizers': {},
  'metadata.ownerReferences': { mergeKey: 'uid' },
  ...Object.fromEntries(containerListEntries('containers')),
  ...Object.fromEntries(containerListEntries('initContainers')),
  ...Object.fromEntries(containerListEntries('ephemeralContainers')),
  'spec.volumes': { mergeKey: 'name' },
  'spec.imagePullSecrets': { mergeKey: 'name' },
  'spec.hostAliases': { mergeKey: 'ip' },
  'spec.topologySpreadConstraints': { mergeKey: 'topologyKey' },
  'spec.schedulingGates': { mergeKey: 'name' },
  'spec.resourceClaims': { mergeKey: 'name' },
  'status.conditions': { mergeKey: 'type' },
  'status.podIPs': { mergeKey: 'ip' },
  'status.hostIPs': { mergeKey: 'ip' },
  'status.resourceClaimStatuses': { mergeKey: 'name' },
});

/**
 * Applies a PATCH body of the given Content-Type to `target` and returns the patched copy.
 * `body` is the parsed JSON (raw text or bytes are parsed first). Throws a StatusError: 415 for a
 * media type the sandbox cannot apply, 400 for a malformed or inapplicable patch.
 */
export function applyPatch(target: unknown, contentType: string, body: unknown, schema: MergeSchema = podMergeSchema): unknown {
  // As the apiserver does: drop parameters such as "; charset=utf-8", then check the type first.
  const type = contentType.split(';')[0].trim();
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(target, decodeBody(body));
    case 'application/merge-patch+json':
      return applyMergePatch(target, decodeBody(body));
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(target, decodeBody(body), schema);
    case 'application/apply-patch+yaml':
      throw serverSideApplyUnsupported();
    default:
      throw unsupportedMediaType();
  }
}

function unsupportedMediaType(): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `the body of the request was in an unknown format - accepted media types include: ${PATCH_CONTENT_TYPES.join(', ')}`,
    reason: 'UnsupportedMediaType',
    code: 415,
  });
}

/** Server-side apply needs managed fields, which the sandbox does not track; say so plainly. */
function serverSideApplyUnsupported(): StatusError {
  const others = PATCH_CONTENT_TYPES.filter(t => t !== 'application/apply-patch+yaml');
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `server-side apply (application/apply-patch+yaml) is not supported by the sandbox cluster - accepted media types include: ${others.join(', ')}`,
    reason: 'UnsupportedMediaType',
    code: 415,
  });
}

function decodeBody(body: unknown): unknown {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = new TextDecoder().decode(body);
  if (text === undefined) return body;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared JSON helpers

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

const hasOwn = (m: JsonMap, key: string) => Object.prototype.hasOwnProperty.call(m, key);

/** Assigns without ever hitting a setter, so a `__proto__` key in a patch is just a key. */
function put(m: JsonMap, key: string, value: unknown) {
  Object.defineProperty(m, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) put(out, k, clone(x));
    return out;
  }
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ak = Object.keys(a).filter(k => a[k] !== undefined);
    const bk = Object.keys(b).filter(k => b[k] !== undefined);
    return ak.length === bk.length && ak.every(k => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** Go's `%v` rendering of decoded JSON, which apimachinery's error texts embed. */
function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map(k => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's reflect type name of decoded JSON, for apimachinery's "expected a X, but received a Y". */
function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  return typeof v;
}

/** encoding/json's name for a value's JSON kind, as in "cannot unmarshal array into ...". */
function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isMap(v)) return 'object';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// RFC 6902 JSON patch, with the behaviour and messages of gopkg.in/evanphx/json-patch.v4, which the
// apiserver uses (e.g. negative indexes count from the end, `replace` of a missing object member
// adds it, a `null` member counts as absent for `test`).

/** A failed step; its message becomes the 400's message. */
class PatchFailure extends Error {}

type Container = JsonMap | unknown[];

const isContainer = (v: unknown): v is Container => Array.isArray(v) || isMap(v);

const decodePointerToken = (token: string) => token.replace(/~[01]/g, m => (m === '~1' ? '/' : '~'));

/** Go's strconv.Atoi, which the library uses for array indexes. */
function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) throw new PatchFailure(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  return Number(key);
}

const invalidIndex = (idx: number) => new PatchFailure(`Unable to access invalid index: ${idx}: invalid index referenced`);

/** Resolves a possibly negative index against `length`, or throws as the library does. */
function resolveIndex(idx: number, length: number): number {
  if (idx < 0) {
    if (idx < -length) throw invalidIndex(idx);
    return idx + length;
  }
  if (idx >= length) throw invalidIndex(idx);
  return idx;
}

function containerGet(con: Container, key: string): unknown {
  if (!Array.isArray(con)) return hasOwn(con, key) ? con[key] : undefined;
  return con[resolveIndex(atoi(key), con.length)];
}

function containerSet(con: Container, key: string, value: unknown) {
  if (Array.isArray(con)) con[resolveIndex(atoi(key), con.length)] = value;
  else put(con, key, value);
}

function containerAdd(con: Container, key: string, value: unknown) {
  if (!Array.isArray(con)) {
    put(con, key, value);
    return;
  }
  if (key === '-') {
    con.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new PatchFailure(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  con.splice(resolveIndex(idx, con.length + 1), 0, value);
}

function containerRemove(con: Container, key: string) {
  if (!Array.isArray(con)) {
    if (!hasOwn(con, key)) throw new PatchFailure(`Unable to remove nonexistent key: ${key}: missing value`);
    delete con[key];
    return;
  }
  con.splice(resolveIndex(atoi(key), con.length), 1);
}

/** The container holding the last token of `path` and that token, or undefined if a parent is missing. */
function findParent(doc: unknown, path: string): { con: Container; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let cur = doc;
  for (const token of tokens.slice(1, -1)) {
    if (!isContainer(cur)) return undefined;
    try {
      cur = containerGet(cur, decodePointerToken(token));
    } catch {
      return undefined;
    }
  }
  if (!isContainer(cur)) return undefined;
  return { con: cur, key: decodePointerToken(tokens[tokens.length - 1]) };
}

/** Runs `step`, prefixing any PatchFailure it throws. */
function wrapped<T>(prefix: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof PatchFailure) throw new PatchFailure(`${prefix}: ${e.message}`);
    throw e;
  }
}

interface Operation {
  op: unknown;
  path?: string;
  from?: string;
  hasValue: boolean;
  value: unknown;
}

function readOperation(raw: unknown): Operation {
  // A null operation decodes to an empty one, which then fails as "Unexpected kind: unknown".
  if (raw === null) return { op: undefined, hasValue: false, value: undefined };
  if (!isMap(raw)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type jsonpatch.Operation`);
  }
  return {
    op: raw.op,
    path: typeof raw.path === 'string' ? raw.path : undefined,
    from: typeof raw.from === 'string' ? raw.from : undefined,
    hasValue: hasOwn(raw, 'value') && raw.value !== undefined,
    value: raw.value,
  };
}

type Doc = { root: unknown };

function opAdd(doc: Doc, op: Operation) {
  if (op.path === undefined) throw new PatchFailure('add operation failed to decode path: missing value');
  const path = op.path;
  const loc = findParent(doc.root, path);
  if (!loc) throw new PatchFailure(`add operation does not apply: doc is missing path: "${path}": missing value`);
  wrapped(`error in add for path: '${path}'`, () => containerAdd(loc.con, loc.key, op.hasValue ? clone(op.value) : null));
}

function opRemove(doc: Doc, op: Operation) {
  if (op.path === undefined) throw new PatchFailure('remove operation failed to decode path: missing value');
  const path = op.path;
  const loc = findParent(doc.root, path);
  if (!loc) throw new PatchFailure(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  wrapped(`error in remove for path: '${path}'`, () => containerRemove(loc.con, loc.key));
}

function opReplace(doc: Doc, op: Operation) {
  if (op.path === undefined) {
    throw new PatchFailure('replace operation failed to decode path: operation missing path field: missing value');
  }
  const path = op.path;
  if (path === '') {
    // The library's own text, including Go's rendering of the nil error it wraps.
    if (!isContainer(op.value)) throw new PatchFailure('replace operation value must be object or array: %!w(<nil>)');
    doc.root = clone(op.value);
    return;
  }
  const loc = findParent(doc.root, path);
  if (!loc) throw new PatchFailure(`replace operation does not apply: doc is missing path: ${path}: missing value`);
  try {
    containerGet(loc.con, loc.key);
  } catch {
    throw new PatchFailure(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  }
  containerSet(loc.con, loc.key, op.hasValue ? clone(op.value) : null);
}

function opMove(doc: Doc, op: Operation) {
  if (op.from === undefined) {
    throw new PatchFailure('move operation failed to decode from: operation, missing from field: missing value');
  }
  const from = findParent(doc.root, op.from);
  if (!from) throw new PatchFailure(`move operation does not apply: doc is missing from path: ${op.from}: missing value`);
  const value = wrapped(`error in move for path: '${from.key}'`, () => containerGet(from.con, from.key));
  wrapped(`error in move for path: '${from.key}'`, () => containerRemove(from.con, from.key));
  if (op.path === undefined) {
    throw new PatchFailure('move operation failed to decode path: operation missing path field: missing value');
  }
  const path = op.path;
  const to = findParent(doc.root, path);
  if (!to) throw new PatchFailure(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
  wrapped(`error in move for path: '${path}'`, () => containerAdd(to.con, to.key, value));
}

function opCopy(doc: Doc, op: Operation) {
  if (op.from === undefined) {
    throw new PatchFailure('copy operation failed to decode from: operation, missing from field: missing value');
  }
  const fromPath = op.from;
  const from = findParent(doc.root, fromPath);
  if (!from) throw new PatchFailure(`copy operation does not apply: doc is missing from path: ${fromPath}: missing value`);
  const value = wrapped(`error in copy for from: '${fromPath}'`, () => containerGet(from.con, from.key));
  if (op.path === undefined) throw new PatchFailure('copy operation failed to decode path: missing value');
  const path = op.path;
  const to = findParent(doc.root, path);
  if (!to) throw new PatchFailure(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
  wrapped('error while adding value during copy', () => containerAdd(to.con, to.key, value === undefined ? null : clone(value)));
}

function opTest(doc: Doc, op: Operation) {
  if (op.path === undefined) {
    throw new PatchFailure('test operation failed to decode path: operation missing path field: missing value');
  }
  const path = op.path;
  const failed = new PatchFailure(`testing value ${path} failed: test failed`);
  if (path === '') {
    if (!deepEqual(doc.root, op.value)) throw failed;
    return;
  }
  const loc = findParent(doc.root, path);
  if (!loc) throw new PatchFailure(`test operation does not apply: is missing path: ${path}: missing value`);
  const actual = wrapped(`error in test for path: '${path}'`, () => containerGet(loc.con, loc.key));
  // An absent member and a JSON null are the same thing to the library.
  if (actual === undefined || actual === null) {
    if (op.hasValue && op.value !== null) throw failed;
    return;
  }
  if (!op.hasValue || !deepEqual(actual, op.value)) throw failed;
}

const OPERATIONS: Record<string, (doc: Doc, op: Operation) => void> = {
  add: opAdd,
  remove: opRemove,
  replace: opReplace,
  move: opMove,
  copy: opCopy,
  test: opTest,
};

/** Applies an RFC 6902 patch (an array of operations) to a copy of `target`. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  // encoding/json decodes `null` into an empty patch.
  if (patch === null || patch === undefined) return clone(target);
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`);
  }
  const operations = patch.map(readOperation);
  const doc: Doc = { root: clone(target) };
  for (const op of operations) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const apply = Object.prototype.hasOwnProperty.call(OPERATIONS, kind) ? OPERATIONS[kind] : undefined;
    try {
      if (!apply) throw new PatchFailure(`Unexpected kind: ${kind}`);
      apply(doc, op);
    } catch (e) {
      if (e instanceof PatchFailure) throw badRequest(e.message);
      throw e;
    }
  }
  return doc.root;
}

// ---------------------------------------------------------------------------------------------
// RFC 7386 merge patch

function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? (clone(target) as JsonMap) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete result[key];
    else put(result, key, mergePatchValue(result[key], value));
  }
  return result;
}

/** Applies an RFC 7386 JSON merge patch to a copy of `target`. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  // evanphx/json-patch's MergePatch rejects a null or scalar patch document with this text.
  if (!isContainer(patch)) throw badRequest('Invalid JSON Patch');
  return mergePatchValue(target, patch);
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const childPath = (path: string, key: string) => (path ? `${path}.${key}` : key);
const itemPath = (path: string) => `${path}[]`;

const badArgType = (expected: unknown, actual: unknown) =>
  badRequest(`expected a ${goTypeName(expected)}, but received a ${goTypeName(actual)}`);
const noMergeKey = (m: JsonMap, mergeKey: string) =>
  badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${mergeKey}`);
const badPatchType = (directive: unknown, m: JsonMap) =>
  badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(m)}`);

/** `$setElementOrder/containers` → `containers`; the library requires the slash. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(
      prefix === SET_ELEMENT_ORDER ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list',
    );
  }
  return key.slice(slash + 1);
}

/** Whether a list holds maps or scalars; mixed lists and lists of lists are rejected. */
function elementKind(lists: unknown[][]): 'map' | 'scalar' {
  let kind: string | undefined;
  for (const item of lists.flat()) {
    if (Array.isArray(item)) throw badRequest('lists of lists are not supported');
    const k = isMap(item) ? 'map' : jsonKind(item);
    if (kind !== undefined && k !== kind) throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
    kind = k;
  }
  return kind === 'map' ? 'map' : 'scalar';
}

/** What identifies a list item: its merge key value for maps, itself for scalars. */
function identity(mergeKey: string): (item: unknown) => unknown {
  if (!mergeKey) return item => item;
  return item => (isMap(item) ? item[mergeKey] : undefined);
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  const id = identity(mergeKey);
  const wanted = id(item);
  return list.findIndex(x => id(x) === wanted);
}

/** sort.SliceStable's insertion sort with the library's comparator, so quirky inputs order as in Go. */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string): unknown[] {
  const less = (a: unknown, b: unknown) => {
    const ia = indexIn(order, a, mergeKey);
    const ib = indexIn(order, b, mergeKey);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  const out = items.slice();
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
  }
  return out;
}

/**
 * The library's final ordering (normalizeElementOrder + mergeSortedSlice): items named by
 * `patchOrder` in that order, server-only items in their live order, and a server-only item goes
 * before a patch item only when it precedes that item in the live list. So without
 * `$setElementOrder`, items new to the list come first, not last.
 */
function normalizeOrder(merged: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string): unknown[] {
  if (mergeKey) {
    for (const item of [...merged, ...patchOrder]) {
      if (!isMap(item)) throw badArgType({}, item);
      if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
  const inPatch = (item: unknown) => indexIn(patchOrder, item, mergeKey) >= 0;
  const patchItems = sortByOrder(merged.filter(inPatch), patchOrder, mergeKey);
  const serverOnly = sortByOrder(merged.filter(x => !inPatch(x)), serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patchItems[j++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i], mergeKey);
      const ri = indexIn(serverOrder, patchItems[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

/** Handles `$patch` items of a merge list: deletions by key, `replace` of the whole list. */
function splitSpecialItems(original: unknown[], patch: unknown[], mergeKey: string) {
  let base = original;
  const plain: JsonMap[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isMap(item)) throw badArgType({}, item);
    if (!hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    switch (item[DIRECTIVE]) {
      case 'delete': {
        if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
        const key = item[mergeKey];
        base = base.filter(x => !(isMap(x) && hasOwn(x, mergeKey) && x[mergeKey] === key));
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw badRequest('merging lists cannot yet be specified in the patch');
      default:
        throw badPatchType(item[DIRECTIVE], item);
    }
  }
  return replace ? { base: plain, plain: [] as JsonMap[], replace } : { base, plain, replace };
}

/** mergeSlice: merges a list whose schema strategy is "merge". */
function mergeList(original: unknown[], patch: unknown[], path: string, mergeKey: string, schema: MergeSchema): unknown[] {
  if (original.length === 0 && patch.length === 0) return [];
  if (elementKind([original, patch]) === 'scalar') {
    const merged = [...original, ...patch].filter((v, i, all) => all.indexOf(v) === i);
    return normalizeOrder(merged, patch, original, '');
  }
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type struct');
  const { base, plain, replace } = splitSpecialItems(original, patch, mergeKey);
  if (replace) return base.map(item => materialize(item, itemPath(path), schema));
  const merged = base.map(clone);
  for (const item of plain) {
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex(x => isMap(x) && hasOwn(x, mergeKey) && x[mergeKey] === item[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, item, itemPath(path), schema);
    else merged.push(materialize(item, itemPath(path), schema));
  }
  return normalizeOrder(merged, plain, base, mergeKey);
}

function mergeListField(original: unknown[], patch: unknown[], path: string, schema: MergeSchema, deleteList: boolean): unknown[] {
  if (deleteList) return original.filter(v => !patch.includes(v)).map(clone);
  const strategy = Object.prototype.hasOwnProperty.call(schema, path) ? schema[path] : undefined;
  if (!strategy) return materialize(patch, path, schema) as unknown[];
  return mergeList(original, patch, path, strategy.mergeKey ?? '', schema);
}

/**
 * A patch value placed where the live object has nothing: directives and nulls in it are resolved
 * against an empty value, as the typed decoding after a real apiserver's merge would drop them.
 */
function materialize(value: unknown, path: string, schema: MergeSchema): unknown {
  if (isMap(value)) return mergeMap({}, value, path, schema);
  if (!Array.isArray(value)) return value;
  const mergeKey = Object.prototype.hasOwnProperty.call(schema, path) ? schema[path].mergeKey : undefined;
  if (mergeKey) return mergeList([], value, path, mergeKey, schema);
  return value.map(item => (isMap(item) ? mergeMap({}, item, itemPath(path), schema) : clone(item)));
}

function mergeValue(original: unknown, patch: unknown, path: string, schema: MergeSchema, deleteList: boolean): unknown {
  if (Array.isArray(original) && Array.isArray(patch)) return mergeListField(original, patch, path, schema, deleteList);
  if (isMap(original) && isMap(patch)) return mergeMap(original, patch, path, schema);
  return materialize(patch, path, schema);
}

/** `$retainKeys`: drops live keys not listed; every key the patch sets must be listed. */
function applyRetainKeys(result: JsonMap, patch: JsonMap) {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys)) throw badRequest('invalid patch format of retainKeys');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keys.includes(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(result)) if (!keys.includes(k)) delete result[k];
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw badArgType({}, left);
  if (!isMap(right)) throw badArgType({}, right);
  if (!hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** The patch list must name its items in the same relative order as `$setElementOrder`. */
function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string) {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const item of patchList) if (!isMap(item)) throw badArgType({}, item);
    items = patchList.filter(item => (item as JsonMap)[DIRECTIVE] !== 'delete');
  }
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isMap(item) && hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw badRequest(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

/** mergePatchIntoOriginal: merges each list named by `$setElementOrder/<list>` and orders it. */
function applySetElementOrders(result: JsonMap, patch: JsonMap, path: string, schema: MergeSchema) {
  for (const [directiveKey, order] of Object.entries(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badArgType([], order);
    const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
    const listPath = childPath(path, key);
    const live = hasOwn(result, key) ? result[key] : undefined;
    const patchList = hasOwn(patch, key) ? patch[key] : undefined;
    if (live !== undefined && !Array.isArray(live)) throw badArgType([], live);
    if (patchList !== undefined && !Array.isArray(patchList)) throw badArgType([], patchList);
    const strategy = Object.prototype.hasOwnProperty.call(schema, listPath) ? schema[listPath] : undefined;
    const mergeKey = strategy?.mergeKey ?? '';
    validateSetElementOrder(patchList ?? [], order, mergeKey);

    let merged: unknown[];
    if (live && patchList) merged = mergeListField(live, patchList, listPath, schema, false);
    else if (patchList) merged = materialize(patchList, listPath, schema) as unknown[];
    else if (live) merged = live;
    else continue;
    delete patch[key];
    // A list of maps without a merge key cannot be matched against the order; keep it as merged.
    const orderable = merged.length > 0 && (elementKind([merged]) === 'scalar' || mergeKey !== '');
    put(result, key, orderable ? normalizeOrder(merged, order, live ?? [], mergeKey) : merged);
  }
}

/** A map carrying `$patch`: `replace` takes the rest of the map as is, `delete` empties it. */
function mapDirective(patch: JsonMap, path: string, schema: MergeSchema): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive !== 'replace') throw badPatchType(directive, patch);
  const rest: JsonMap = { ...patch };
  delete rest[DIRECTIVE];
  return mergeMap({}, rest, path, schema);
}

function mergeMap(original: JsonMap, patchIn: JsonMap, path: string, schema: MergeSchema): JsonMap {
  if (hasOwn(patchIn, DIRECTIVE)) return mapDirective(patchIn, path, schema);
  const result = clone(original) as JsonMap;
  const patch: JsonMap = { ...patchIn };
  applyRetainKeys(result, patch);
  applySetElementOrders(result, patch, path, schema);
  for (const [rawKey, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const deleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = deleteList ? extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST) : rawKey;
    if (value === null) {
      delete result[key];
      continue;
    }
    if (!hasOwn(result, key)) {
      // Deleting from a list that does not exist is a no-op (older apiservers stored the deletion list).
      if (!deleteList) put(result, key, materialize(value, childPath(path, key), schema));
      continue;
    }
    put(result, key, mergeValue(result[key], value, childPath(path, key), schema, deleteList));
  }
  return result;
}

/**
 * Applies a Kubernetes strategic merge patch to a copy of `target`, with merge keys from `schema`
 * (core/v1 Pod by default).
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema: MergeSchema = podMergeSchema): unknown {
  if (patch === null || patch === undefined) return clone(target);
  if (!isMap(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  return mergeMap(isMap(target) ? target : {}, patch, '', schema);
}

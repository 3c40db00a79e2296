/**
 * The apiserver's handling of an update to `pods/{name}/ephemeralcontainers`: which part of the
 * submitted Pod it keeps (`dropNonEphemeralContainerUpdates`, pkg/registry/core/pod/strategy.go),
 * the defaults it fills in, and its validation (`validateEphemeralContainers`,
 * `ValidatePodEphemeralContainersUpdate`, pkg/apis/core/validation/validation.go), with the
 * field.Error texts kubectl prints.
 */
import { Pod } from '../store/pod';
import { invalid } from './status';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden';

/** One apimachinery field.Error: `message` is its ErrorBody, i.e. the text after `<field>: `. */
export interface FieldError {
  field: string;
  message: string;
  type: FieldErrorType;
}

type JsonMap = Record<string, unknown>;

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const asMap = (v: unknown): JsonMap => (isMap(v) ? v : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Go's %q: JSON string syntax except for the control characters Go escapes differently. */
function quote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (_, hex: string) => {
    if (hex === '07') return '\\a';
    if (hex === '0b') return '\\v';
    return `\\x${hex}`;
  });
}

// The field.Error constructors, rendering ErrorBody as Go does.
const required = (field: string): FieldError => ({ field, type: 'FieldValueRequired', message: 'Required value' });
const forbidden = (field: string, detail: string): FieldError => ({
  field,
  type: 'FieldValueForbidden',
  message: `Forbidden: ${detail}`,
});
const invalidValue = (field: string, value: string, detail: string): FieldError => ({
  field,
  type: 'FieldValueInvalid',
  message: `Invalid value: ${quote(value)}: ${detail}`,
});
const duplicate = (field: string, value: string): FieldError => ({
  field,
  type: 'FieldValueDuplicate',
  message: `Duplicate value: ${quote(value)}`,
});
const notFound = (field: string, value: string): FieldError => ({
  field,
  type: 'FieldValueNotFound',
  message: `Not found: ${quote(value)}`,
});
const notSupported = (field: string, value: string, supported: string[]): FieldError => ({
  field,
  type: 'FieldValueNotSupported',
  message: `Unsupported value: ${quote(value)}: supported values: ${supported.map(quote).join(', ')}`,
});

/** allowedEphemeralContainerFields, plus EphemeralContainer's own targetContainerName. */
const ALLOWED_FIELDS = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'envFrom',
  'env',
  'volumeMounts',
  'volumeDevices',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
  'targetContainerName',
]);

/**
 * The disallowed fields of EphemeralContainerCommon in Go struct order, which is the order the
 * errors come in. `resources` is a struct, not a pointer: it counts as set only with content, so
 * kubectl's `"resources":{}` passes. Slices and pointers count as set when present at all, even
 * `[]` or `{}`, as the decoded Go value is then non-nil.
 */
const KNOWN_FORBIDDEN_FIELDS = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'restartPolicyRules',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

const EPHEMERAL_DETAIL = 'cannot be set for an Ephemeral Container';

function isSet(field: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (field === 'resources' && isMap(value)) return Object.values(value).some(v => v !== undefined && v !== null);
  return true;
}

const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
  `(e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL_FMT}')`;

/** validation.IsDNS1123Label. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`);
  if (!DNS1123_LABEL.test(value)) errs.push(DNS1123_LABEL_MESSAGE);
  return errs;
}

const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/**
 * The checks of validateContainerCommon that apply to what ephemeral containers may carry. An absent
 * terminationMessagePolicy or imagePullPolicy is fine: the apiserver defaults both before validating.
 */
function validateCommon(ec: JsonMap, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = asString(ec.name);
  if (name === '') errs.push(required(`${path}.name`));
  else errs.push(...dns1123LabelErrors(name).map(msg => invalidValue(`${path}.name`, name, msg)));
  if (asString(ec.image) === '') errs.push(required(`${path}.image`));
  const policy = asString(ec.terminationMessagePolicy);
  if (policy !== '' && !TERMINATION_MESSAGE_POLICIES.includes(policy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, policy, TERMINATION_MESSAGE_POLICIES));
  }
  const pull = asString(ec.imagePullPolicy);
  if (pull !== '' && !PULL_POLICIES.includes(pull)) {
    errs.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  }
  return errs;
}

/** validateFieldAllowList, extended to fields the sandbox does not know: those are refused too. */
function forbiddenFields(ec: JsonMap, path: string): FieldError[] {
  const unknown = Object.keys(ec).filter(k => !ALLOWED_FIELDS.has(k) && !KNOWN_FORBIDDEN_FIELDS.includes(k));
  return [...KNOWN_FORBIDDEN_FIELDS, ...unknown]
    .filter(field => isSet(field, ec[field]))
    .map(field => forbidden(`${path}.${field}`, EPHEMERAL_DETAIL));
}

/** Subpaths are bind mounts that outlive the container, so ephemeral containers may not use them. */
function forbiddenSubPaths(ec: JsonMap, path: string): FieldError[] {
  return asList(ec.volumeMounts).flatMap((mount, j) =>
    ['subPath', 'subPathExpr']
      .filter(field => asString(asMap(mount)[field]) !== '')
      .map(field => forbidden(`${path}.volumeMounts[${j}].${field}`, EPHEMERAL_DETAIL)),
  );
}

/** validateEphemeralContainers for the ephemeral containers of `pod`. */
function validateEphemeralContainers(pod: Pod): FieldError[] {
  const spec = asMap(pod.spec);
  const others = new Set([...asList(spec.containers), ...asList(spec.initContainers)].map(c => asString(asMap(c).name)));
  const allNames = new Set(others);
  return asList(spec.ephemeralContainers).flatMap((raw, i) => {
    const ec = asMap(raw);
    const path = `spec.ephemeralContainers[${i}]`;
    const errs = validateCommon(ec, path);
    const name = asString(ec.name);
    if (allNames.has(name)) errs.push(duplicate(`${path}.name`, name));
    else allNames.add(name);
    const target = asString(ec.targetContainerName);
    if (target !== '' && !others.has(target)) errs.push(notFound(`${path}.targetContainerName`, target));
    return [...errs, ...forbiddenFields(ec, path), ...forbiddenSubPaths(ec, path)];
  });
}

/**
 * Go's zero values are indistinguishable from absent fields, and apiequality treats nil and empty
 * collections alike; dropping all of them lets two containers compare equal whatever their key
 * order or omitted defaults. Top-level `false`/`""` are zero values of non-pointer fields
 * (stdin, tty, workingDir...); deeper ones may be pointers, so they are kept.
 */
function normalize(value: unknown, topLevel = false): unknown {
  if (Array.isArray(value)) return value.map(v => normalize(v));
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const key of Object.keys(value).sort()) {
    const v = normalize(value[key]);
    const empty =
      v === undefined ||
      v === null ||
      (Array.isArray(v) && v.length === 0) ||
      (isMap(v) && Object.keys(v).length === 0) ||
      (topLevel && (v === false || v === ''));
    if (!empty) out[key] = v;
  }
  return out;
}

/** Compared with defaults applied to both sides, so a stored container lacking them still matches. */
const sameContainer = (a: unknown, b: unknown) =>
  JSON.stringify(normalize(withDefaults(a), true)) === JSON.stringify(normalize(withDefaults(b), true));

/** Existing ephemeral containers can be neither removed nor changed (matched by name, in any order). */
function validateExistingUnchanged(oldPod: Pod, newPod: Pod): FieldError[] {
  const byName = new Map<string, unknown>();
  for (const ec of asList(asMap(newPod.spec).ephemeralContainers)) byName.set(asString(asMap(ec).name), ec);
  const errs: FieldError[] = [];
  for (const old of asList(asMap(oldPod.spec).ephemeralContainers)) {
    const name = asString(asMap(old).name);
    // The apiserver appends a go-cmp diff after "changed\n"; it cannot be reproduced, so it is left out.
    if (!byName.has(name)) {
      errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers ${quote(name)} may not be removed\n`));
    } else if (!sameContainer(old, byName.get(name))) {
      errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers ${quote(name)} may not be changed\n`));
    }
  }
  return errs;
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * The errors of ValidatePodEphemeralContainersUpdate for replacing `oldPod` by `newPod` (which
 * should come from mergeEphemeralContainers); empty when the update is valid.
 */
export function validateEphemeralContainersUpdate(oldPod: Pod, newPod: Pod): FieldError[] {
  // As upstream: for a static pod this one error replaces all others, on the empty field path.
  if (Object.prototype.hasOwnProperty.call(asMap(asMap(oldPod.metadata).annotations), MIRROR_POD_ANNOTATION)) {
    return [forbidden('', 'static pods do not support ephemeral containers')];
  }
  return [...validateEphemeralContainers(newPod), ...validateExistingUnchanged(oldPod, newPod)];
}

/**
 * Throws the apiserver's 422 (`Pod "p" is invalid: spec.ephemeralContainers[0].ports: Forbidden:
 * cannot be set for an Ephemeral Container`) when the update is not valid.
 */
export function checkEphemeralContainersUpdate(oldPod: Pod, newPod: Pod): void {
  const causes = validateEphemeralContainersUpdate(oldPod, newPod);
  if (causes.length > 0) throw invalid('Pod', newPod.metadata.name, causes);
}

/**
 * The Pod to validate and store for a PUT/PATCH of the subresource: `current` with the submitted
 * ephemeral containers. As dropNonEphemeralContainerUpdates does, name, namespace, uid and
 * resourceVersion also come from the submitted object (when it has them), so preconditions still
 * apply; every other change in the body is ignored.
 */
export function mergeEphemeralContainers(current: Pod, submitted: Pod): Pod {
  const pod = structuredClone(current);
  const meta = asMap(submitted.metadata);
  for (const key of ['name', 'namespace', 'uid', 'resourceVersion'] as const) {
    if (typeof meta[key] === 'string') pod.metadata[key] = meta[key] as string;
  }
  const submittedContainers = asMap(submitted.spec).ephemeralContainers;
  if (Array.isArray(submittedContainers)) pod.spec.ephemeralContainers = structuredClone(submittedContainers);
  else delete pod.spec.ephemeralContainers;
  return pod;
}

/** An image reference's tag as the kubelet's parser reads it: `latest` when there is neither tag nor digest. */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  return tag === '' && at < 0 ? 'latest' : tag;
}

/** SetDefaults_Container for one ephemeral container; anything that is not an object is left alone. */
function withDefaults<T>(container: T): T {
  if (!isMap(container)) return container;
  return {
    ...container,
    terminationMessagePath: asString(container.terminationMessagePath) || '/dev/termination-log',
    terminationMessagePolicy: asString(container.terminationMessagePolicy) || 'File',
    imagePullPolicy:
      asString(container.imagePullPolicy) || (imageTag(asString(container.image)) === 'latest' ? 'Always' : 'IfNotPresent'),
  };
}

/**
 * SetDefaults_EphemeralContainer: imagePullPolicy (Always for `:latest` or untagged images,
 * otherwise IfNotPresent), terminationMessagePath and terminationMessagePolicy. Returns a copy of
 * `pod`; apply it to the merged Pod before validating and storing, as the apiserver decodes with
 * defaults.
 */
export function withEphemeralContainerDefaults(pod: Pod): Pod {
  const out = structuredClone(pod);
  if (Array.isArray(out.spec.ephemeralContainers)) out.spec.ephemeralContainers = out.spec.ephemeralContainers.map(withDefaults);
  return out;
}

import { Pod } from '../store/pod';
import { dns1123LabelErrors } from './ephemeralContainers';
import { parseQuantity, QuantityError } from './quantity';
import { badRequest, invalid } from './status';

interface FieldError {
  field: string;
  message: string;
  type: string;
}

const MAX_ID = 2147483647;

function idErrors(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    return [{ field, type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: must be between 0 and ${MAX_ID}, inclusive` }];
  }
  return [];
}

function securityContextErrors(sc: unknown, path: string): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const s = sc as Record<string, unknown>;
  return [...idErrors(s.runAsUser, `${path}.runAsUser`), ...idErrors(s.runAsGroup, `${path}.runAsGroup`)];
}

type Resources = { requests?: Record<string, string | number>; limits?: Record<string, string | number> };

/** A quantity the apiserver's decoder refuses fails the whole request with 400, before validation. */
function checkQuantities(pod: Pod) {
  for (const c of allContainers(pod)) {
    const r = (c.resources ?? {}) as Resources;
    for (const q of [...Object.values(r.requests ?? {}), ...Object.values(r.limits ?? {})]) {
      try {
        parseQuantity(q);
      } catch (e) {
        if (e instanceof QuantityError) throw badRequest(`Pod in version "v1" cannot be handled as a Pod: ${e.message}`);
        throw e;
      }
    }
  }
}

/** `ValidateResourceRequirements`: no negative amounts, and no request above its limit. */
function resourceErrors(resources: unknown, path: string): FieldError[] {
  if (!resources || typeof resources !== 'object') return [];
  const { requests = {}, limits = {} } = resources as Resources;
  const errs: FieldError[] = [];
  for (const [kind, list] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(list)) {
      if (parseQuantity(q) < 0) errs.push({ field: `${path}.${kind}[${name}]`, type: 'FieldValueInvalid', message: `Invalid value: "${q}": must be greater than or equal to 0` });
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit !== undefined && parseQuantity(q) > parseQuantity(limit)) {
      errs.push({ field: `${path}.requests[${name}]`, type: 'FieldValueInvalid', message: `Invalid value: "${q}": must be less than or equal to ${name} limit of ${limit}` });
    }
  }
  return errs;
}

function allContainers(pod: Pod): Array<Record<string, unknown>> {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? []), ...(pod.spec.ephemeralContainers ?? [])] as Array<Record<string, unknown>>;
}

/**
 * What the sandbox needs valid before it runs a pod's containers as processes (names become folder
 * names, ids and the working directory end up in the container's start script), with Kubernetes'
 * messages where Kubernetes checks the same thing.
 */
export function podRunErrors(pod: Pod): FieldError[] {
  const errs: FieldError[] = [...securityContextErrors(pod.spec.securityContext, 'spec.securityContext')];
  const lists: Array<[string, Array<Record<string, unknown>> | undefined]> = [
    ['initContainers', pod.spec.initContainers as Array<Record<string, unknown>> | undefined],
    ['containers', pod.spec.containers as Array<Record<string, unknown>>],
    ['ephemeralContainers', pod.spec.ephemeralContainers as Array<Record<string, unknown>> | undefined],
  ];
  for (const [list, containers] of lists) {
    (containers ?? []).forEach((c, i) => {
      const path = `spec.${list}[${i}]`;
      const name = typeof c.name === 'string' ? c.name : '';
      for (const m of dns1123LabelErrors(name)) errs.push({ field: `${path}.name`, type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${m}` });
      const wd = c.workingDir;
      if (wd !== undefined && (typeof wd !== 'string' || !wd.startsWith('/') || wd.split('/').includes('..'))) {
        errs.push({ field: `${path}.workingDir`, type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(wd)}: the sandbox needs an absolute path without ".."` });
      }
      errs.push(...securityContextErrors(c.securityContext, `${path}.securityContext`));
      errs.push(...resourceErrors(c.resources, `${path}.resources`));
    });
  }
  return errs;
}

/** Throws the apiserver's 400 when a quantity cannot be decoded, its 422 Invalid when the pod cannot be run as given. */
export function checkPodRunnable(pod: Pod): void {
  checkQuantities(pod);
  const errs = podRunErrors(pod);
  if (errs.length) throw invalid('Pod', pod.metadata.name, errs);
}

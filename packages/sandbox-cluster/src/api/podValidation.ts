import { Pod } from '../store/pod';
import { dns1123LabelErrors } from './ephemeralContainers';
import { invalid } from './status';

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
    });
  }
  return errs;
}

/** Throws the apiserver's 422 Invalid when the pod cannot be run as given. */
export function checkPodRunnable(pod: Pod): void {
  const errs = podRunErrors(pod);
  if (errs.length) throw invalid('Pod', pod.metadata.name, errs);
}

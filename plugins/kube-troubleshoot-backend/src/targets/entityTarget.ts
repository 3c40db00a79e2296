import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@kube-troubleshoot/backstage-plugin-common';

/** Where an entity's pods are: a label selector, optionally limited to one namespace. */
export interface EntityTarget {
  labelSelector: string;
  namespace?: string;
}

/** Reads the standard annotations (as the official Kubernetes plugin does). */
export function entityTarget(entity: Entity): EntityTarget {
  const a = entity.metadata.annotations ?? {};
  const selector = a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  const id = a[KUBERNETES_ID_ANNOTATION]?.trim();
  const namespace = a[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  if (selector) return { labelSelector: selector, namespace };
  if (id) return { labelSelector: `${KUBERNETES_ID_ANNOTATION}=${id}`, namespace };
  throw new InputError(
    `${entity.metadata.name} has neither the ${KUBERNETES_ID_ANNOTATION} nor the ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation, so it has no pods to show`,
  );
}

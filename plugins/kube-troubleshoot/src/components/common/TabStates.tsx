import { ReactNode } from 'react';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { EmptyState, Progress, WarningPanel } from '@backstage/core-components';
import {
  humanizeEntityRef,
  MissingAnnotationEmptyState,
} from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  ClusterError,
  hasKubernetesAnnotations,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@kube-troubleshoot/backstage-plugin-common';
import Typography from '@material-ui/core/Typography';
import { KubeTroubleshootApiError } from '../../api';

/** `team-payments` for `group:default/team-payments`; undefined without an owner. */
export function ownerName(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  const defaults = {
    defaultKind: 'group',
    defaultNamespace: entity.metadata.namespace ?? 'default',
  };
  try {
    return humanizeEntityRef(parseEntityRef(owner, defaults), defaults);
  } catch {
    return owner;
  }
}

/** Who to ask, in one sentence. */
export function askOwnerSentence(entity: Entity): string {
  const owner = ownerName(entity);
  const name = entity.metadata.name;
  return owner
    ? `${name} is owned by ${owner}; ask them for access.`
    : `${name} has no owner in the catalog; ask your platform team for access.`;
}

export function DeniedPanel(props: {
  entity: Entity;
  /** e.g. "logs" */
  what: string;
  permission: ResourcePermission;
  /** The backend's own words, when it was the backend that refused. */
  detail?: string;
}) {
  const { entity, what, permission, detail } = props;
  return (
    <WarningPanel
      severity="warning"
      title={`You cannot see the ${what} of ${entity.metadata.name}`}
      defaultExpanded
      message={
        <>
          {askOwnerSentence(entity)} This tab needs the{' '}
          <code>{permission.name}</code> permission on{' '}
          <code>{stringifyEntityRef(entity)}</code>.
          {detail ? (
            <>
              <br />
              The server said: {detail}
            </>
          ) : null}
        </>
      }
    />
  );
}

/** Where the backend looks for the entity's pods, as the annotations say. */
export function describeSelector(entity: Entity): {
  annotation: string;
  selector: string;
  namespace?: string;
} {
  const a = entity.metadata.annotations ?? {};
  const namespace = a[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  const selector = a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  if (selector) {
    return {
      annotation: `${KUBERNETES_LABEL_SELECTOR_ANNOTATION}: ${selector}`,
      selector,
      namespace,
    };
  }
  const id = a[KUBERNETES_ID_ANNOTATION]?.trim() ?? '';
  return {
    annotation: `${KUBERNETES_ID_ANNOTATION}: ${id}`,
    selector: `${KUBERNETES_ID_ANNOTATION}=${id}`,
    namespace,
  };
}

export function NoPodsEmptyState(props: {
  entity: Entity;
  clusters?: string[];
}) {
  const { entity } = props;
  const { annotation, selector, namespace } = describeSelector(entity);
  return (
    <EmptyState
      missing="data"
      title={`No pods found for ${entity.metadata.name}`}
      description={
        <>
          No pod in the configured clusters matches the annotation{' '}
          <code>{annotation}</code>, i.e. the label selector{' '}
          <code>{selector}</code>
          {namespace ? (
            <>
              {' '}
              in namespace <code>{namespace}</code>
            </>
          ) : (
            ' in any namespace'
          )}
          . Check that the workload's pod template carries that label, or fix
          the annotation in the entity's catalog-info.yaml.
        </>
      }
    />
  );
}

export function ClusterErrorsPanel(props: { clusterErrors: ClusterError[] }) {
  const { clusterErrors } = props;
  if (!clusterErrors.length) return null;
  const names = clusterErrors.map(e => e.cluster).join(', ');
  return (
    <WarningPanel
      severity="warning"
      title={`Could not read from ${
        clusterErrors.length === 1 ? 'cluster' : 'clusters'
      } ${names}; results may be incomplete`}
    >
      <ul>
        {clusterErrors.map(e => (
          <li key={e.cluster}>
            <Typography variant="body2">
              <strong>{e.cluster}</strong>
              {e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: {e.message}
            </Typography>
          </li>
        ))}
      </ul>
    </WarningPanel>
  );
}

export function RequestErrorPanel(props: {
  title: string;
  error: Error;
  clusterErrors?: ClusterError[];
}) {
  const { title, error, clusterErrors = [] } = props;
  const status =
    error instanceof KubeTroubleshootApiError
      ? ` (HTTP ${error.statusCode})`
      : '';
  return (
    <WarningPanel
      severity="error"
      title={title}
      defaultExpanded
      message={`${error.message}${status}`}
    >
      {clusterErrors.length > 0 && (
        <ul>
          {clusterErrors.map(e => (
            <li key={e.cluster}>
              <Typography variant="body2">
                <strong>{e.cluster}</strong>: {e.message}
              </Typography>
            </li>
          ))}
        </ul>
      )}
    </WarningPanel>
  );
}

/**
 * What every tab checks before it fetches anything: the entity has the annotations, and the user
 * holds the tab's permission on it (the backend checks again; this only spares a refused request).
 */
export function EntityTabGate(props: {
  entity: Entity;
  permission: ResourcePermission;
  what: string;
  children: ReactNode;
}) {
  const { entity, permission, what, children } = props;
  const annotated = hasKubernetesAnnotations(entity);
  const { loading, allowed } = usePermission({
    permission,
    resourceRef: annotated ? stringifyEntityRef(entity) : undefined,
  });
  if (!annotated) {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          KUBERNETES_ID_ANNOTATION,
          KUBERNETES_LABEL_SELECTOR_ANNOTATION,
        ]}
      />
    );
  }
  if (loading) return <Progress />;
  if (!allowed)
    return <DeniedPanel entity={entity} what={what} permission={permission} />;
  return <>{children}</>;
}

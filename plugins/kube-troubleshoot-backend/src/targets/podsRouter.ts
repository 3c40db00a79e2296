import { EntityPodsResponse, kubeTroubleshootEntityPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { ObjectMeta } from '../clusters/kubeTypes';
import { RouteHandlers } from '../http/routeHandlers';
import { summarizePod } from './podSummary';
import { TargetResolver } from './TargetResolver';

/**
 * `GET .../pods`: the entity's pods, with containers, states and owners. Every tab picks a pod
 * from it, so any one tab's permission is enough; it holds no log text.
 */
export function createPodsRouter(deps: { routes: RouteHandlers; targets: TargetResolver }) {
  const { routes, targets } = deps;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/pods',
    routes.entity({ eventId: 'pods-read', permission: kubeTroubleshootEntityPermissions }, async ({ entity, res, signal }) => {
      const { pods, clusterErrors } = await targets.listPods(entity, undefined, signal);
      const cache = new Map<string, ObjectMeta | null>();
      const body: EntityPodsResponse = {
        pods: await Promise.all(pods.map(async p => summarizePod(p.client.name, p.pod, await targets.ownerChain(p.client, p.pod.metadata, cache, signal)))),
        clusterErrors,
      };
      res.json(body);
      return { pods: pods.length };
    }),
  );

  return router;
}

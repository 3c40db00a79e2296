import { EntityPodsResponse, kubeTroubleshootTabPermissions, kubeTroubleshootLogsReadPermission } from '@kube-troubleshoot/backstage-plugin-common';
import Router from 'express-promise-router';
import { ObjectMeta } from '../clusters/kubeTypes';
import { RouteHandlers } from '../http/routeHandlers';
import { summarizePod } from './podSummary';
import { TargetResolver } from './TargetResolver';

/**
 * `GET .../pods`: the entity's pods, with containers, states and owners. Every tab picks a pod
 * from it, so any one tab's permission is enough; the termination messages (which can be log text)
 * only with logs.read.
 */
export function createPodsRouter(deps: { routes: RouteHandlers; targets: TargetResolver }) {
  const { routes, targets } = deps;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/pods',
    routes.entity({ eventId: 'pods-read', permission: kubeTroubleshootTabPermissions }, async ({ entity, res, signal, can }) => {
      const [{ pods, clusterErrors }, logText] = await Promise.all([targets.listPods(entity, undefined, signal), can(kubeTroubleshootLogsReadPermission)]);
      const cache = new Map<string, ObjectMeta | null>();
      const body: EntityPodsResponse = {
        pods: await Promise.all(pods.map(async p => summarizePod(p.client.name, p.pod, await targets.ownerChain(p.client, p.pod.metadata, cache, signal), { logText }))),
        clusterErrors,
      };
      res.json(body);
      return { pods: pods.length };
    }),
  );

  return router;
}

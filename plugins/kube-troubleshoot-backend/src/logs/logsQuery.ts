import { z } from 'zod/v4';
import { clusterName, containerName, namespaceName, podName, queryBoolean, queryInteger, queryString, rfc3339 } from '../http/validation';

/** At most this many lines from the end (the apiserver takes any int64; no screen needs more). */
export const MAX_TAIL_LINES = 10_000_000;
/** At most this many seconds back (68 years: the int32 range). */
export const MAX_SINCE_SECONDS = 2_147_483_647;

/** The query of `GET .../logs`, validated: each error names the parameter. */
export function logsQuery(clusters: () => string[]) {
  return z
    .strictObject({
      cluster: queryString.pipe(clusterName(clusters)).optional(),
      namespace: queryString.pipe(namespaceName).optional(),
      pod: queryString.pipe(podName).optional(),
      container: queryString.pipe(containerName).optional(),
      follow: queryBoolean.default(false),
      previous: queryBoolean.default(false),
      timestamps: queryBoolean.default(false),
      download: queryBoolean.default(false),
      tailLines: queryInteger(0, MAX_TAIL_LINES).optional(),
      sinceSeconds: queryInteger(1, MAX_SINCE_SECONDS).optional(),
      sinceTime: rfc3339.optional(),
      untilTime: rfc3339.optional(),
    })
    .check(ctx => {
      const q = ctx.value;
      if (q.sinceTime !== undefined && q.sinceSeconds !== undefined) {
        ctx.issues.push({ code: 'custom', path: ['sinceSeconds'], message: 'cannot be combined with sinceTime: give one of them', input: q.sinceSeconds });
      }
      if (q.untilTime !== undefined && q.follow) {
        ctx.issues.push({ code: 'custom', path: ['untilTime'], message: 'cannot be combined with follow: a range ends, a follow does not', input: q.untilTime });
      }
      if (q.untilTime !== undefined && q.sinceTime !== undefined && Date.parse(q.untilTime) < Date.parse(q.sinceTime)) {
        ctx.issues.push({ code: 'custom', path: ['untilTime'], message: 'is before sinceTime: the range would be empty', input: q.untilTime });
      }
      if (q.previous && q.follow) {
        ctx.issues.push({ code: 'custom', path: ['follow'], message: 'cannot be combined with previous: a previous container has ended', input: q.follow });
      }
      if (q.previous && !q.pod) {
        ctx.issues.push({ code: 'custom', path: ['previous'], message: 'needs a pod (and container): the previous run is per container', input: q.previous });
      }
    });
}

export type LogsQuery = z.output<ReturnType<typeof logsQuery>>;

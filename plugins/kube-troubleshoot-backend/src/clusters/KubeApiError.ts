/** A failed call to a cluster, with a message a portal user can act on. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    /**
     * The status the portal answers with: the cluster's for request errors (400, 403, 404, 410),
     * 502 when the cluster refuses the plugin's own credentials, 503 when it cannot be reached.
     */
    readonly statusCode?: number,
    /** Kubernetes' `Status.reason`, e.g. Forbidden, NotFound, BadRequest, Expired. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/**
 * Turns a cluster's error answer into a clear message: Kubernetes' own text for container and
 * request errors, and for 401/403 which credential or RBAC rule is missing.
 */
export function translateKubeError(cluster: string, statusCode: number, body: string): KubeApiError {
  let status: StatusBody | undefined;
  try {
    const parsed = JSON.parse(body) as StatusBody;
    if (parsed && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON: kubelet and proxies may answer with text
  }
  const text = status?.message ?? (body.trim() || `HTTP ${statusCode}`);
  if (statusCode === 401) {
    return new KubeApiError(
      `cluster "${cluster}" rejected the plugin's credentials (401 Unauthorized): check its serviceAccountToken in kubeTroubleshoot.clusters`,
      502,
      'Unauthorized',
    );
  }
  if (statusCode === 403) {
    const m = /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/.exec(text);
    const what = m ? `"${m[1]}" on "${m[2]}"${m[3] ? ` (API group ${m[3]})` : ''}${m[4] ? ` in namespace "${m[4]}"` : ''}` : 'this request';
    return new KubeApiError(
      `the plugin's service account on cluster "${cluster}" lacks RBAC permission ${what}; grant it as in examples/rbac.yaml. Kubernetes said: ${text}`,
      403,
      'Forbidden',
    );
  }
  return new KubeApiError(text, statusCode >= 500 ? 502 : statusCode, status?.reason);
}

/** A network failure reaching the cluster. */
export function unreachable(cluster: string, url: string, error: Error & { code?: string }): KubeApiError {
  return new KubeApiError(`cluster "${cluster}" is unreachable at ${url}: ${error.code ?? error.message}`, 503);
}

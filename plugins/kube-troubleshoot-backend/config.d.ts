export interface Config {
  /** Configuration of the Kube Troubleshoot backend plugin. */
  kubeTroubleshoot?: {
    /**
     * The clusters whose workloads the tabs show. The keys follow the official Kubernetes
     * plugin's `kubernetes.clusters`, so an existing entry can be copied. Each entry sets exactly
     * one of `url`, `kubeconfig` or `inCluster`.
     */
    clusters?: Array<{
      /** Unique name, shown in the UI and used in API requests (`?cluster=`). */
      name: string;
      /** API server URL, e.g. https://kubernetes.example.com:6443 */
      url?: string;
      /** Only `serviceAccount` (the default): the backend calls the cluster with its own token. */
      authProvider?: 'serviceAccount';
      /**
       * Bearer token of the plugin's service account (see examples/rbac.yaml for what it needs).
       * @visibility secret
       */
      serviceAccountToken?: string;
      /**
       * PEM (or base64 of PEM) of the CA that signed the API server's certificate.
       * @visibility secret
       */
      caData?: string;
      /** Path of a file with the CA's PEM. */
      caFile?: string;
      /** Do not verify the API server's certificate (never in production). */
      skipTLSVerify?: boolean;
      /** Read the connection from a kubeconfig file instead of url/token. */
      kubeconfig?: {
        /** Path of the kubeconfig file. */
        path: string;
        /** Context to use; the file's current-context when omitted. */
        context?: string;
      };
      /** Use the pod's own service account (the backend runs inside this cluster). */
      inCluster?: boolean;
      /** Marks a production cluster: terminal sessions there never run as root. */
      production?: boolean;
    }>;
  };
}

export interface Config {
  /** Configuration of the Kube Troubleshoot backend plugin. */
  kubeTroubleshoot?: {
    /**
     * The clusters whose workloads the tabs show. The keys follow the official Kubernetes
     * plugin's `kubernetes.clusters`, so an existing entry can be copied. Each entry sets exactly
     * one of `url`, `kubeconfig` or `inCluster`. When absent, the clusters of the official plugin's
     * `kubernetes.clusterLocatorMethods` are used: its `config` entries with `authProvider:
     * serviceAccount` and a `serviceAccountToken`, and `localKubectlProxy` (as cluster `local`);
     * other entries are skipped with a warning at start-up.
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
    /**
     * Names of clusters (of either source) to treat as production, as `production: true` does:
     * for clusters read from `kubernetes.clusterLocatorMethods`, which has no such key.
     */
    productionClusters?: string[];
    /** Terminal sessions (the Terminal tab's WebSockets). */
    sessions?: {
      /** Lifetime of the one-time ticket that opens a session's WebSocket, 1-30 s. Default 30. */
      ticketTtlSeconds?: number;
      /** Open sessions per user on one backend replica; 0 = no limit. Default 5. */
      maxPerUser?: number;
      /** Open sessions on one backend replica; 0 = no limit. Default 200. */
      maxPerReplica?: number;
      /** A session without input for this long is closed; 0 = never. Default 900. */
      idleTimeoutSeconds?: number;
      /** A session is closed after this long whatever happens; 0 = never. Default 14400 (4 h). */
      maxDurationSeconds?: number;
      /** The user is warned this long before either cut. Default 60. */
      warnBeforeSeconds?: number;
      /** WebSocket pings to the browser and the cluster, so proxies keep idle sockets. Default 25. */
      heartbeatSeconds?: number;
      /** Bytes queued towards a slow side before the other side is paused. Default 1048576. */
      bufferBytes?: number;
      /**
       * When the browser's socket drops (a network blip, a reload, a proxy restart), the shell waits
       * this long for the browser to reattach with its resume token; 0 = it ends with the socket.
       * A terminal closed by its user ends at once. Default 60.
       */
      reattachGraceSeconds?: number;
      /** Output kept per session for a browser that reattaches or a watcher who joins. Default 131072 (128 KiB). */
      scrollbackBytes?: number;
      /**
       * Where the other backend replicas reach this one (a browser that reattaches through another
       * replica is passed to the one that runs its shell), e.g. `http://${POD_IP}:7007`. Default:
       * the address `backend.listen` names, or this machine's first outside IPv4 address when it
       * listens on all, with `backend.listen`'s port.
       */
      replicaUrl?: string;
      /** Origins besides app.baseUrl's and backend.baseUrl's that may open sessions. */
      allowedOrigins?: string[];
    };
    /** The shell of clusters marked `production: true`: a normal user, never root. */
    productionShell?: {
      /** The user the wrapper creates (if missing) and runs the shell as; never root. Default `troubleshoot`. */
      user?: string;
      /**
       * Absolute paths created (if missing) and given to that user; everything else stays as the image
       * has it. Not nested, never followed through a link. Default ['/tmp/troubleshoot'].
       */
      writablePaths?: string[];
    };
    /** The Debug tab: tool containers and pod copies. */
    debug?: {
      /** Tool images users may choose; any other image is refused. Default: docker.io/library/busybox:1.37 (public; the example portal lists the sandbox's image). */
      images?: Array<{
        /** Short name shown and sent by the UI. */
        name: string;
        /** The image reference. */
        image: string;
        description?: string;
        /** The preselected image (at most one; else the first). */
        default?: boolean;
      }>;
      /** kubectl debug profiles offered: general, baseline, restricted, netadmin, sysadmin. Default [general, baseline, restricted]. */
      profiles?: string[];
      /** Profiles offered on clusters marked production. Default [restricted]. */
      productionProfiles?: string[];
      /** Per-cluster lists of profiles, by cluster name, over the two defaults. */
      clusters?: { [cluster: string]: { profiles: string[] } };
      /** Lifetime of a pod copy (its activeDeadlineSeconds and expiry). Default 3600. */
      forkTtlSeconds?: number;
      /** Pod copies one user may have at a time. Default 3. */
      maxForksPerUser?: number;
      /** Keep a copy on the original pod's node. Default true. */
      forkSameNode?: boolean;
      /** How long to wait for a debug container or copy to run. Default 60. */
      startTimeoutSeconds?: number;
      /** Largest file download from a container, in bytes. Default 104857600. */
      fileMaxBytes?: number;
      /** How often a scheduled task (one replica at a time) deletes expired pod copies. Default 60. */
      reaperIntervalSeconds?: number;
    };
    /** Terminal and debug session recordings (asciicast v2 in the plugin database). */
    /**
     * CPU and memory beside the diagnosis, from each cluster's metrics.k8s.io (metrics-server). The
     * namespaces someone looks at are scraped every `intervalSeconds` (default 15) and the last
     * `windowMinutes` (default 15) are kept in each replica's memory: charts and the peak memory an
     * OOM kill is compared with. The service account needs get/list on pods in metrics.k8s.io.
     */
    metrics?: {
      intervalSeconds?: number;
      windowMinutes?: number;
    };
    recordings?: {
      /** Record sessions. Default true. */
      enabled?: boolean;
      /**
       * Also record what users type (passwords typed at no-echo prompts included). Default true.
       * The command index takes commands from the shell's marks and from the line typed at a marked
       * prompt either way; only with this on does it also take typed lines where the shell marks no prompt.
       */
      input?: boolean;
      /** Recordings older than this are deleted by a scheduled task; 0 keeps them for ever. Default 90. */
      retentionDays?: number;
    };
  };
}

export interface Config {
  kubeTroubleshoot?: {
    /** The ownership policy module (`@kube-troubleshoot/backstage-plugin-permission-backend-module-policy`). */
    policy?: {
      /**
       * Users or groups (entity refs) that get every kube-troubleshoot permission on every
       * entity, other users' recordings included. Default: none.
       */
      adminRefs?: string[];
    };
  };
}

export interface Config {
  /**
   * Configuration of the Kube Troubleshoot plugins (`@kube-troubleshoot/backstage-plugin-backend`).
   * This version reads no keys from it; an empty block is valid.
   */
  kubeTroubleshoot?: {};
}

/*
 * The example portal's backend: the kube-troubleshoot plugin installed the way
 * an adopter installs it (with its ownership policy), plus a dev sign-in.
 */
import { createBackend } from '@backstage/backend-defaults';
import { authModuleDevProvider } from './modules/devAuth';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(authModuleDevProvider);

backend.add(import('@backstage/plugin-catalog-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@kube-troubleshoot/backstage-plugin-permission-backend-module-policy'),
);

backend.add(import('@kube-troubleshoot/backstage-plugin-backend'));

// The MCP server for AI clients, serving the actions that plugins register (Kube Troubleshoot's
// read side: see backend.actions.pluginSources in app-config.yaml).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();

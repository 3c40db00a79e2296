import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSandbox, Sandbox } from '@internal/sandbox-cluster';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { waitFor, workloadsDir } from '../support/tools';

/**
 * The read side of the tabs as Backstage actions, called the way an AI client calls them: through
 * the MCP actions backend's Streamable HTTP endpoint with the official MCP SDK client, as a user
 * who may and one who may not, against the sandbox running the demo workloads.
 */
jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
/** Who may read what (the example policy's ownership decisions): alice owns payments-api, bob search-indexer. */
const ALLOWED: Record<string, string[]> = {
  [ALICE]: ['component:default/payments-api'],
  [BOB]: ['component:default/search-indexer'],
};
const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name, 'backstage.io/kubernetes-namespace': 'default' } },
  spec: { type: 'service', lifecycle: 'production', owner },
});

let sandbox: Sandbox;
let backend: Awaited<ReturnType<typeof startTestBackend>>;
const audits: Array<{ eventId: string; status: string; meta: Record<string, unknown> }> = [];

async function mcpAs(authorization: string) {
  const { port } = backend.server.address() as AddressInfo;
  const client = new Client({ name: 'kube-troubleshoot-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/api/mcp-actions/v1`), { requestInit: { headers: { Authorization: authorization } } }));
  return client;
}

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name: `kube-troubleshoot.${name}`, arguments: args })) as ToolResult;
const text = (r: ToolResult) => r.content.map(c => c.text ?? '').join('');

beforeAll(async () => {
  sandbox = await startSandbox({ workloads: [workloadsDir], pullDelayMs: 10, backoffBaseMs: 500 });
  backend = await startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      mcpActionsPlugin,
      catalogServiceMock.factory({ entities: [component('payments-api', 'team-payments'), component('search-indexer', 'team-search')] }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          backend: { actions: { pluginSources: ['kube-troubleshoot'] } },
          kubeTroubleshoot: { clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: sandbox.tokens.readonly }] },
        },
      }),
      mockServices.permissions.mock({
        authorize: async (requests, options) => {
          const user = (options?.credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
          return requests.map(r => ({ result: ALLOWED[user]?.includes((r as { resourceRef?: string }).resourceRef ?? '') ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }));
        },
      }).factory,
      mockServices.auditor.mock({
        createEvent: async opts => ({
          success: async o => void audits.push({ eventId: opts.eventId, status: 'succeeded', meta: { ...opts.meta, ...o?.meta } }),
          fail: async o => void audits.push({ eventId: opts.eventId, status: 'failed', meta: { ...opts.meta, ...o.meta } }),
        }),
      }).factory,
    ],
  });
  // search-indexer has crashed once, and payments-api's api has logged a WARN line.
  await waitFor('the demo to be under way', () => {
    const pods = sandbox.cluster.store.list<import('@internal/sandbox-cluster').Pod>('pods', 'default');
    const crashed = pods.find(p => p.metadata.name.startsWith('search-indexer-'))?.status?.containerStatuses?.[0]?.restartCount;
    return crashed ? true : undefined;
  }, 30_000);
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
});

describe('Kube Troubleshoot over MCP', () => {
  it('lists the three read-only tools', async () => {
    const client = await mcpAs(mockCredentials.user.header(ALICE));
    try {
      const { tools } = await client.listTools();
      const ours = tools.filter(t => t.name.startsWith('kube-troubleshoot.')).sort((a, b) => a.name.localeCompare(b.name));
      expect(ours.map(t => t.name)).toEqual(['kube-troubleshoot.diagnose-entity', 'kube-troubleshoot.get-logs', 'kube-troubleshoot.list-events']);
      for (const t of ours) expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
      const logs = ours.find(t => t.name === 'kube-troubleshoot.get-logs')!;
      expect(logs.inputSchema.required).toEqual(['entityRef']);
      expect((logs.inputSchema.properties as Record<string, { maximum?: number }>).limit.maximum).toBe(500);
    } finally {
      await client.close();
    }
  });

  it('alice diagnoses, reads filtered logs and lists events of the service she owns; each call audited as the tab\'s', async () => {
    const client = await mcpAs(mockCredentials.user.header(ALICE));
    try {
      const diagnosis = await call(client, 'diagnose-entity', { entityRef: 'component:default/payments-api' });
      expect(diagnosis.isError).toBeFalsy();
      const pods = (diagnosis.structuredContent as { pods: Array<{ pod: string; verdict: string }> }).pods;
      expect(pods.find(p => p.pod === 'reports-legacy')?.verdict).toMatch(/the tag 2\.0-missing of reports does not exist in sandbox\.local/);

      const warnings = await waitFor('WARN lines of api', async () => {
        const r = await call(client, 'get-logs', { entityRef: 'component:default/payments-api', container: 'api', severities: ['warn'], limit: 3 });
        const lines = (r.structuredContent as { lines: Array<{ severity?: string; text: string; container: string }> }).lines;
        return lines.length ? { r, lines } : undefined;
      }, 30_000);
      expect(warnings.lines.length).toBeLessThanOrEqual(3);
      for (const l of warnings.lines) expect(l).toMatchObject({ severity: 'warn', container: 'api', text: expect.stringMatching(/^WARN slow upstream ledger: \d+ms$/) });
      const json = await call(client, 'get-logs', { entityRef: 'component:default/payments-api', contains: 'PAYMENT SETTLED', limit: 2 });
      const jsonLines = (json.structuredContent as { lines: Array<{ severity?: string; text: string }> }).lines;
      expect(jsonLines.every(l => l.severity === 'info' && l.text.includes('"msg":"payment settled"'))).toBe(true);

      const events = await call(client, 'list-events', { entityRef: 'component:default/payments-api', type: 'Warning' });
      const list = (events.structuredContent as { events: Array<{ type: string; reason: string; object: { name: string } }> }).events;
      expect(list.length).toBeGreaterThan(0);
      expect(list.every(e => e.type === 'Warning')).toBe(true);
      expect(list.some(e => e.object.name === 'reports-legacy' && e.reason === 'Failed')).toBe(true);
    } finally {
      await client.close();
    }
    const mine = audits.filter(a => a.meta.actor === ALICE && a.meta.via === 'action');
    expect(new Set(mine.map(a => `${a.eventId}:${a.status}`))).toEqual(new Set(['diagnosis-read:succeeded', 'logs-read:succeeded', 'events-read:succeeded']));
    expect(mine.find(a => a.eventId === 'logs-read')?.meta.entityRef).toBe('component:default/payments-api');
  });

  it('bob is refused on payments-api, named permission and owner, audited; allowed on his own service', async () => {
    const client = await mcpAs(mockCredentials.user.header(BOB));
    try {
      const refused = await call(client, 'get-logs', { entityRef: 'component:default/payments-api' });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toBe('NotAllowedError: you do not have kube-troubleshoot.logs.read on component:default/payments-api; it is owned by team-payments');
      const events = await call(client, 'list-events', { entityRef: 'component:default/payments-api' });
      expect(text(events)).toMatch(/^NotAllowedError: you do not have kube-troubleshoot\.events\.read on component:default\/payments-api/);
      const diagnosis = await call(client, 'diagnose-entity', { entityRef: 'component:default/payments-api' });
      expect(diagnosis.isError).toBe(true);
      expect(text(diagnosis)).toMatch(/^NotAllowedError: you do not have kube-troubleshoot\.events\.read on component:default\/payments-api/);
      const own = await call(client, 'diagnose-entity', { entityRef: 'component:default/search-indexer' });
      expect(own.isError).toBeFalsy();
      const crash = (own.structuredContent as { pods: Array<{ pod: string; verdict: string }> }).pods.find(p => p.pod.startsWith('search-indexer-'));
      expect(crash?.verdict).toMatch(/exit code 1, Error/);
    } finally {
      await client.close();
    }
    expect(audits.some(a => a.meta.actor === BOB && a.eventId === 'logs-read' && a.status === 'failed' && a.meta.status === 403)).toBe(true);
  });

  it('refuses bad input with the reason, and a caller who is not a user', async () => {
    const client = await mcpAs(mockCredentials.user.header(ALICE));
    try {
      const previous = await call(client, 'get-logs', { entityRef: 'component:default/payments-api', previous: true });
      expect(text(previous)).toBe("InputError: previous needs pod: the previous run is one container's");
      const tooMany = await call(client, 'get-logs', { entityRef: 'component:default/payments-api', limit: 100000 });
      expect(text(tooMany)).toMatch(/^InputError: Invalid input to action "kube-troubleshoot:get-logs"/);
      const cluster = await call(client, 'list-events', { entityRef: 'component:default/nope' });
      expect(text(cluster)).toBe('NotFoundError: no entity component:default/nope in the catalog');
    } finally {
      await client.close();
    }
    const service = await mcpAs(mockCredentials.service.header());
    try {
      const r = await call(service, 'diagnose-entity', { entityRef: 'component:default/payments-api' });
      expect(text(r)).toBe('NotAllowedError: kube-troubleshoot actions must be called by a signed-in user, with their own credentials');
    } finally {
      await service.close();
    }
  });
});

import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { PodJson } from '../clusters/kubeTypes';
import { kubeTroubleshootPlugin } from '../plugin';
import { FakeApiServer } from '../testUtils/fakeApiServer';

/**
 * `permission.enabled: false` (or absent): Backstage's own permissions service then allows
 * everything, and that is the service used here. Logs and events open to every signed-in user;
 * terminal, debug and other users' recordings stay closed, saying why.
 */

const WEB = '/api/kube-troubleshoot/entities/component/default/web';
const web: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'web', 'backstage.io/kubernetes-namespace': 'shop' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};
const webPod: PodJson = {
  metadata: { name: 'web-1', namespace: 'shop', labels: { 'backstage.io/kubernetes-id': 'web' } },
  spec: { containers: [{ name: 'main', image: 'toolbox' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, restartCount: 0, image: 'toolbox', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] },
};

describe.each([
  ['permission.enabled: false', { permission: { enabled: false } }],
  ['no permission config', {}],
])('with %s', (_name, permissionConfig) => {
  const apiServer = new FakeApiServer();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    const url = await apiServer.start();
    apiServer.pods = [webPod];
    backend = await startTestBackend({
      features: [
        kubeTroubleshootPlugin,
        catalogServiceMock.factory({ entities: [web] }),
        mockServices.rootConfig.factory({
          data: { ...permissionConfig, kubeTroubleshoot: { clusters: [{ name: 'dev', url, serviceAccountToken: 't', skipTLSVerify: true }] } },
        }),
        mockServices.permissions.factory(),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await apiServer.stop();
  });

  const guest = { Authorization: mockCredentials.user.header('user:development/guest') };

  it('lists pods and reads logs for any signed-in user, as the official Kubernetes plugin does', async () => {
    const pods = await request(backend.server).get(`${WEB}/pods`).set(guest);
    expect(pods.status).toBe(200);
    expect(pods.body.pods.map((p: { name: string }) => p.name)).toEqual(['web-1']);
    const logs = await request(backend.server).get(`${WEB}/logs?cluster=dev&pod=web-1&container=main&tailLines=1`).set(guest);
    expect(logs.status).toBe(200);
  });

  it.each([
    ['a terminal session', 'sessions', { cluster: 'dev', pod: 'web-1', container: 'main' }, 'kube-troubleshoot.terminal.create'],
    ['a debug container', 'debug', { cluster: 'dev', pod: 'web-1', targetContainer: 'main' }, 'kube-troubleshoot.debug.create'],
    ['a pod copy', 'forks', { cluster: 'dev', pod: 'web-1', container: 'main' }, 'kube-troubleshoot.debug.create'],
  ])('refuses %s with a 403 that says the framework is off', async (_what, route, body, permission) => {
    const before = apiServer.requests.length;
    const res = await request(backend.server).post(`${WEB}/${route}`).set(guest).send(body);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(`${permission} needs the permission framework`);
    expect(res.body.error.message).toContain('permission.enabled is not true');
    expect(apiServer.requests.slice(before).filter(r => r.method !== 'GET')).toEqual([]);
  });

  it("shows a user only their own recordings, never everyone's", async () => {
    const res = await request(backend.server).get('/api/kube-troubleshoot/recordings').set(guest);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('own');
  });
});

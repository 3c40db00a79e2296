import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { kubeTroubleshootPermissions } from '@kube-troubleshoot/backstage-plugin-common';
import { kubeTroubleshootPlugin } from './plugin';

describe('kubeTroubleshootPlugin', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [kubeTroubleshootPlugin],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(() => stop());

  it('serves /health without credentials', async () => {
    const response = await request(server).get('/api/kube-troubleshoot/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('registers its permissions with the permission framework', async () => {
    const response = await request(server)
      .get('/api/kube-troubleshoot/.well-known/backstage/permissions/metadata')
      .set('Authorization', mockCredentials.service.header());
    expect(response.status).toBe(200);
    expect(response.body.permissions).toEqual(kubeTroubleshootPermissions);
  });
});

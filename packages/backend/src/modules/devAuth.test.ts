import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { authModuleDevProvider, DEV_USER_HEADER } from './devAuth';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: {
      profile: { displayName: 'Alice Example', email: 'alice@example.com' },
      memberOf: ['team-payments'],
    },
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-payments' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-payments', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
];

// TestDatabases destroys its SQLite pools after the suite; the default database service keeps them open.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function startAuth(providers: Record<string, object>) {
  return startTestBackend({
    features: [
      authPlugin,
      mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      authModuleDevProvider,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { providers },
        },
      }),
    ],
  });
}

describe('dev auth provider', () => {
  describe('when configured', () => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    beforeAll(async () => {
      backend = await startAuth({ dev: {} });
    });
    afterAll(() => backend.stop());

    it('signs in as the catalog user named in the header', async () => {
      const response = await request(backend.server)
        .get('/api/auth/dev/refresh')
        .set(DEV_USER_HEADER, 'alice')
        .set('X-Requested-With', 'XMLHttpRequest');

      expect(response.status).toBe(200);
      expect(response.body.profile).toEqual({
        displayName: 'Alice Example',
        email: 'alice@example.com',
      });
      expect(response.body.backstageIdentity.identity).toEqual({
        type: 'user',
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: [
          'user:default/alice',
          'group:default/team-payments',
        ],
      });
      const claims = decodeJwt(response.body.backstageIdentity.token);
      expect(claims.sub).toBe('user:default/alice');
    });

    it('names an unknown user in the error', async () => {
      const response = await request(backend.server)
        .get('/api/auth/dev/refresh')
        .set(DEV_USER_HEADER, 'mallory');

      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain(
        "no User entity named 'mallory'",
      );
    });

    it('rejects a request without the header', async () => {
      const response = await request(backend.server).get(
        '/api/auth/dev/refresh',
      );
      expect(response.status).toBe(401);
      expect(response.body.error.message).toContain(DEV_USER_HEADER);
    });

    it('rejects a header that is not an entity name', async () => {
      const response = await request(backend.server)
        .get('/api/auth/dev/refresh')
        .set(DEV_USER_HEADER, '../admin');
      expect(response.status).toBe(400);
    });
  });

  it('is off unless auth.providers.dev is configured', async () => {
    const backend = await startAuth({});
    try {
      const response = await request(backend.server)
        .get('/api/auth/dev/refresh')
        .set(DEV_USER_HEADER, 'alice');
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain(
        "No auth provider registered for 'dev'",
      );
    } finally {
      await backend.stop();
    }
  });
});

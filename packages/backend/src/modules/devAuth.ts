import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  isUserEntity,
  KubernetesValidatorFunctions,
  UserEntity,
} from '@backstage/catalog-model';
import {
  AuthenticationError,
  InputError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthResolverContext,
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';

/**
 * The request header naming the catalog user to sign in as.
 * Only for local development: anyone who can reach the backend can set it.
 */
export const DEV_USER_HEADER = 'x-kube-troubleshoot-dev-user';

/** What the dev authenticator extracts from a request. */
export interface DevAuthResult {
  userName: string;
}

function notInCatalog(userName: string, cause: unknown): Error {
  if (cause instanceof Error && cause.name === 'NotFoundError') {
    return new NotFoundError(
      `Dev sign-in: there is no User entity named '${userName}' ` +
        `(user:${DEFAULT_NAMESPACE}/${userName}) in the catalog; ` +
        `sign in as one of the catalog's users, such as those in examples/org.yaml`,
    );
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}

async function findUser(
  userName: string,
  ctx: AuthResolverContext,
): Promise<UserEntity> {
  let found;
  try {
    found = await ctx.findCatalogUser({ entityRef: { name: userName } });
  } catch (error) {
    throw notInCatalog(userName, error);
  }
  if (!isUserEntity(found.entity)) {
    throw new NotFoundError(`Dev sign-in: '${userName}' is not a User entity`);
  }
  return found.entity;
}

/** Reads the user name from {@link DEV_USER_HEADER}; needs no config. */
export const devAuthenticator = createProxyAuthenticator<
  unknown,
  DevAuthResult,
  undefined
>({
  initialize() {
    return undefined;
  },
  async authenticate({ req }) {
    const userName = req.header(DEV_USER_HEADER)?.trim();
    if (!userName) {
      throw new AuthenticationError(
        `Dev sign-in: missing the ${DEV_USER_HEADER} request header`,
      );
    }
    if (!KubernetesValidatorFunctions.isValidObjectName(userName)) {
      throw new InputError(
        `Dev sign-in: '${userName}' in ${DEV_USER_HEADER} is not a valid user entity name`,
      );
    }
    return { result: { userName } };
  },
  async defaultProfileTransform(result, ctx) {
    const user = await findUser(result.userName, ctx);
    return {
      profile: {
        displayName: user.spec.profile?.displayName ?? result.userName,
        email: user.spec.profile?.email,
        picture: user.spec.profile?.picture,
      },
    };
  },
});

/** Signs in as the catalog User entity `user:default/<name>`, which must exist. */
export const devSignInResolver: SignInResolver<DevAuthResult> = async (
  { result },
  ctx,
) => {
  try {
    return await ctx.signInWithCatalogUser({
      entityRef: { name: result.userName },
    });
  } catch (error) {
    throw notInCatalog(result.userName, error);
  }
};

/**
 * The `dev` auth provider: sign in as any catalog user by naming it in a
 * header. The auth backend enables it only when `auth.providers.dev` is in
 * the config, which only the development config of this example portal sets.
 */
export const authModuleDevProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'kube-troubleshoot-dev-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'dev',
          factory: createProxyAuthProviderFactory({
            authenticator: devAuthenticator,
            signInResolver: devSignInResolver,
          }),
        });
      },
    });
  },
});

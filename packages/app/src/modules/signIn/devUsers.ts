/** Header read by the backend's `dev` auth provider (packages/backend/src/modules/devAuth.ts). */
export const DEV_USER_HEADER = 'x-kube-troubleshoot-dev-user';

/** Where the chosen user survives page reloads, until sign-out. */
export const DEV_USER_STORAGE_KEY = 'kube-troubleshoot:dev-user';

/** The demo users of examples/org.yaml, and what the example policy lets them do. */
export const DEV_USERS: ReadonlyArray<{ name: string; description: string }> = [
  {
    name: 'alice',
    description: 'team-payments: owns payments-api, so gets its four tabs',
  },
  {
    name: 'bob',
    description: 'team-search: owns search-indexer, not payments-api',
  },
  {
    name: 'admin',
    description: 'platform-admins: every entity, and session recordings',
  },
];

export function readStoredDevUser(): string | undefined {
  try {
    return window.localStorage.getItem(DEV_USER_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: pick again after each reload
  }
}

export function storeDevUser(name: string | undefined): void {
  try {
    if (name) {
      window.localStorage.setItem(DEV_USER_STORAGE_KEY, name);
    } else {
      window.localStorage.removeItem(DEV_USER_STORAGE_KEY);
    }
  } catch {
    // storage disabled: the choice lasts until the page reloads
  }
}

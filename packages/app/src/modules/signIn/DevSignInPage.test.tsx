import { IdentityApi } from '@backstage/core-plugin-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DevSignInPage } from './DevSignInPage';
import { DEV_USER_HEADER, DEV_USER_STORAGE_KEY } from './devUsers';

function jwtFor(sub: string): string {
  const part = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: 'none' })}.${part({ sub, exp })}.sig`;
}

function sessionFor(name: string) {
  return {
    profile: { displayName: name },
    backstageIdentity: {
      token: jwtFor(`user:default/${name}`),
      identity: {
        type: 'user',
        userEntityRef: `user:default/${name}`,
        ownershipEntityRefs: [`user:default/${name}`],
      },
    },
  };
}

const fetchMock = jest.fn<Promise<Response>, [string, RequestInit]>();

function respondWith(status: number, body: object) {
  fetchMock.mockResolvedValue(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

async function renderPage() {
  const onSignInSuccess = jest.fn<void, [IdentityApi]>();
  await renderInTestApp(<DevSignInPage onSignInSuccess={onSignInSuccess} />, {
    apis: [mockApis.discovery({ baseUrl: 'http://backend.test' })],
  });
  return onSignInSuccess;
}

describe('DevSignInPage', () => {
  beforeEach(() => {
    window.localStorage.clear();
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
  });

  it('offers the three demo users', async () => {
    await renderPage();
    for (const name of ['alice', 'bob', 'admin']) {
      expect(
        screen.getByRole('button', { name: `Sign in as ${name}` }),
      ).toBeInTheDocument();
    }
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('signs in as the picked user through the dev provider and remembers it', async () => {
    respondWith(200, sessionFor('alice'));
    const onSignInSuccess = await renderPage();

    fireEvent.click(screen.getByRole('button', { name: 'Sign in as alice' }));

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('http://backend.test/api/auth/dev/refresh');
    expect(new Headers(init.headers).get(DEV_USER_HEADER)).toBe('alice');
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBe('alice');

    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/alice',
    });
  });

  it('signs the remembered user in without asking, and forgets it on sign-out', async () => {
    window.localStorage.setItem(DEV_USER_STORAGE_KEY, 'bob');
    respondWith(200, sessionFor('bob'));
    const onSignInSuccess = await renderPage();

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(screen.queryByText('Sign in as alice')).not.toBeInTheDocument();

    await onSignInSuccess.mock.calls[0][0].signOut();
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBeNull();
  });

  it('shows the backend error and lets the person choose again', async () => {
    window.localStorage.setItem(DEV_USER_STORAGE_KEY, 'mallory');
    respondWith(404, {
      error: {
        name: 'NotFoundError',
        message: "Dev sign-in: there is no User entity named 'mallory'",
      },
      response: { statusCode: 404 },
    });
    const onSignInSuccess = await renderPage();

    expect(
      await screen.findByText(/Could not sign in as mallory/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/no User entity named 'mallory'/).length,
    ).toBeGreaterThan(0);

    fireEvent.click(
      screen.getByRole('button', { name: 'Choose another user' }),
    );
    expect(
      screen.getByRole('button', { name: 'Sign in as alice' }),
    ).toBeInTheDocument();
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBeNull();
    expect(onSignInSuccess).not.toHaveBeenCalled();
  });
});

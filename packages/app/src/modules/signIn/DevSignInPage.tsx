import { useState } from 'react';
import {
  Content,
  ErrorPanel,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
} from '@backstage/core-components';
import { IdentityApi } from '@backstage/core-plugin-api';
import { isError } from '@backstage/errors';
import { SignInPageProps } from '@backstage/plugin-app-react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  DEV_USER_HEADER,
  DEV_USERS,
  readStoredDevUser,
  storeDevUser,
} from './devUsers';

// Signing out must forget the choice, or the reload after sign-out signs straight back in.
function forgetUserOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      storeDevUser(undefined);
      await identity.signOut();
    },
  };
}

// A ResponseError only says "Request failed with 404"; the backend's reason is its cause.
function reasonOf(error: Error | undefined): Error {
  if (!error) {
    return new Error('Sign-in failed');
  }
  const cause: unknown = error.cause;
  return error.name === 'ResponseError' && isError(cause) ? cause : error;
}

function UserPicker(props: { onPick(name: string): void }) {
  return (
    <Page themeId="home">
      <Header
        title="Kube Troubleshoot"
        subtitle="Development sign-in: pick a demo user"
      />
      <Content>
        <Grid container spacing={3}>
          {DEV_USERS.map(user => (
            <Grid item xs={12} md={4} key={user.name}>
              <InfoCard
                title={user.name}
                actions={
                  <Button
                    color="primary"
                    variant="outlined"
                    onClick={() => props.onPick(user.name)}
                  >
                    Sign in as {user.name}
                  </Button>
                }
              >
                <Typography variant="body1">{user.description}</Typography>
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}

/**
 * Sign-in for the example portal: choose one of the demo users, then sign in
 * through the backend's `dev` proxy provider, which checks the user against
 * the catalog. Never use this outside local development.
 */
export function DevSignInPage(props: SignInPageProps) {
  const { onSignInSuccess } = props;
  const [userName, setUserName] = useState(readStoredDevUser);

  if (!userName) {
    return (
      <UserPicker
        onPick={name => {
          storeDevUser(name);
          setUserName(name);
        }}
      />
    );
  }

  const chooseAgain = () => {
    storeDevUser(undefined);
    setUserName(undefined);
  };

  return (
    <ProxiedSignInPage
      key={userName}
      provider="dev"
      headers={{ [DEV_USER_HEADER]: userName }}
      onSignInSuccess={identity =>
        onSignInSuccess(forgetUserOnSignOut(identity))
      }
      ErrorComponent={({ error }) => (
        <Page themeId="home">
          <Header title="Kube Troubleshoot" subtitle="Development sign-in" />
          <Content>
            <ErrorPanel
              title={`Could not sign in as ${userName}`}
              error={reasonOf(error)}
              defaultExpanded
            >
              <Button color="primary" variant="contained" onClick={chooseAgain}>
                Choose another user
              </Button>
            </ErrorPanel>
          </Content>
        </Page>
      )}
    />
  );
}

import { useState } from 'react';
import { Content, Header, Page } from '@backstage/core-components';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Box from '@material-ui/core/Box';
import { RecordingsList } from './RecordingsList';

/** What the user filter asks for: `alice`, `default/alice` and `user:default/alice` all name alice. */
export function userFilterRef(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (/^user:[^/]+\/.+$/i.test(t)) return t.toLocaleLowerCase('en-US');
  const name = t.replace(/^user:/i, '');
  return `user:${name.includes('/') ? '' : 'default/'}${name}`.toLocaleLowerCase('en-US');
}

/**
 * All the terminal and debug recordings the user may replay, filtered by entity, user and time.
 *
 * @public
 */
export function RecordingsPage() {
  const [user, setUser] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const userRef = userFilterRef(user);
  const filter = { user: userRef, from: from ? new Date(from).toISOString() : undefined, to: to ? new Date(to).toISOString() : undefined };
  return (
    <Page themeId="tool">
      <Header title="Terminal recordings" subtitle="Terminal and debug sessions through the portal, as they happened" />
      <Content>
        <Paper style={{ padding: 16, marginBottom: 16 }}>
          <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
            <TextField
              id="kube-troubleshoot-recordings-user"
              label="User"
              placeholder="alice"
              helperText={userRef ? `sessions of ${userRef}` : 'a user name, or a ref like user:default/alice'}
              size="small"
              variant="outlined"
              value={user}
              onChange={e => setUser(e.target.value)}
              style={{ width: 300 }}
            />
            <TextField id="kube-troubleshoot-recordings-from" label="From" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={from} onChange={e => setFrom(e.target.value)} />
            <TextField id="kube-troubleshoot-recordings-to" label="To" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={to} onChange={e => setTo(e.target.value)} />
          </Box>
        </Paper>
        <RecordingsList filter={filter} title="Recorded sessions" />
      </Content>
    </Page>
  );
}

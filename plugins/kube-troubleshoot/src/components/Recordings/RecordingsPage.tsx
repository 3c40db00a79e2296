import { useState } from 'react';
import { Content, Header, Page } from '@backstage/core-components';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Box from '@material-ui/core/Box';
import { RecordingsList } from './RecordingsList';

/**
 * All the terminal and debug recordings the user may replay, filtered by entity, user and time.
 *
 * @public
 */
export function RecordingsPage() {
  const [user, setUser] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filter = { user: user || undefined, from: from ? new Date(from).toISOString() : undefined, to: to ? new Date(to).toISOString() : undefined };
  return (
    <Page themeId="tool">
      <Header title="Terminal recordings" subtitle="Every terminal and debug session through the portal, as it happened" />
      <Content>
        <Paper style={{ padding: 16, marginBottom: 16 }}>
          <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
            <TextField label="User (e.g. user:default/alice)" size="small" variant="outlined" value={user} onChange={e => setUser(e.target.value)} style={{ width: 300 }} />
            <TextField label="From" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={from} onChange={e => setFrom(e.target.value)} />
            <TextField label="To" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={to} onChange={e => setTo(e.target.value)} />
          </Box>
        </Paper>
        <RecordingsList filter={filter} title="Recordings" />
      </Content>
    </Page>
  );
}

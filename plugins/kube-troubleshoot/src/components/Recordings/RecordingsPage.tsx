import { useEffect, useMemo, useState } from 'react';
import { Content, Header, Page } from '@backstage/core-components';
import Paper from '@material-ui/core/Paper';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Box from '@material-ui/core/Box';
import { RecordingFilter } from '../../api';
import { RecordingsList } from './RecordingsList';

/** What the user filter asks for: `alice`, `default/alice` and `user:default/alice` all name alice. */
export function userFilterRef(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (/^user:[^/]+\/.+$/i.test(t)) return t.toLocaleLowerCase('en-US');
  const name = t.replace(/^user:/i, '');
  return `user:${name.includes('/') ? '' : 'default/'}${name}`.toLocaleLowerCase('en-US');
}

/** What the entity filter asks for: `payments-api` and `default/payments-api` name the component; a full ref names itself. */
export function entityFilterRef(text: string): string | undefined {
  const t = text.trim().toLocaleLowerCase('en-US');
  if (!t) return undefined;
  if (/^[^:/]+:[^/]+\/.+$/.test(t)) return t;
  const [kind, rest] = t.includes(':') ? t.split(/:(.*)/s) : ['component', t];
  return `${kind}:${rest.includes('/') ? '' : 'default/'}${rest}`;
}

/** `value`, once it has not changed for `ms` (a search is not sent on every key). */
function useSettled(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

type Production = 'any' | 'true' | 'false';

/**
 * All the terminal and debug recordings the user may replay, searched by what was run in them
 * (the command index), and filtered by user, entity, cluster, production and time.
 *
 * @public
 */
export function RecordingsPage() {
  const [user, setUser] = useState('');
  const [command, setCommand] = useState('');
  const [entity, setEntity] = useState('');
  const [cluster, setCluster] = useState('');
  const [production, setProduction] = useState<Production>('any');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const userRef = userFilterRef(user);
  const entityRef = entityFilterRef(entity);
  // Settled as text: a new object each render would never settle.
  const settled = useSettled(JSON.stringify({ user: userRef, command: command.trim() || undefined, entityRef, cluster: cluster.trim() || undefined }));
  const typed = useMemo(() => JSON.parse(settled) as Pick<RecordingFilter, 'user' | 'command' | 'entityRef' | 'cluster'>, [settled]);
  const filter: RecordingFilter = {
    ...typed,
    production: production === 'any' ? undefined : production === 'true',
    from: from ? new Date(from).toISOString() : undefined,
    to: to ? new Date(to).toISOString() : undefined,
  };
  return (
    <Page themeId="tool">
      <Header title="Terminal recordings" subtitle="Terminal and debug sessions through the portal, as they happened" />
      <Content>
        <Paper style={{ padding: 16, marginBottom: 16 }}>
          <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
            <TextField
              id="kube-troubleshoot-recordings-command"
              label="Command"
              placeholder="rm -rf"
              helperText="text of a command run in the session"
              size="small"
              variant="outlined"
              value={command}
              onChange={e => setCommand(e.target.value)}
              inputProps={{ maxLength: 200, style: { fontFamily: 'monospace' } }}
              style={{ width: 260 }}
            />
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
            <TextField
              id="kube-troubleshoot-recordings-entity"
              label="Entity"
              placeholder="payments-api"
              helperText={entityRef ? `sessions of ${entityRef}` : 'a component name, or a ref'}
              size="small"
              variant="outlined"
              value={entity}
              onChange={e => setEntity(e.target.value)}
              style={{ width: 260 }}
            />
            <TextField id="kube-troubleshoot-recordings-cluster" label="Cluster" size="small" variant="outlined" value={cluster} onChange={e => setCluster(e.target.value)} style={{ width: 160 }} />
            <TextField
              id="kube-troubleshoot-recordings-production"
              select
              label="Production"
              size="small"
              variant="outlined"
              value={production}
              onChange={e => setProduction(e.target.value as Production)}
              style={{ width: 170 }}
            >
              <MenuItem value="any">any cluster</MenuItem>
              <MenuItem value="true">production only</MenuItem>
              <MenuItem value="false">not production</MenuItem>
            </TextField>
            <TextField id="kube-troubleshoot-recordings-from" label="From" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={from} onChange={e => setFrom(e.target.value)} />
            <TextField id="kube-troubleshoot-recordings-to" label="To" type="datetime-local" size="small" variant="outlined" InputLabelProps={{ shrink: true }} value={to} onChange={e => setTo(e.target.value)} />
          </Box>
        </Paper>
        <RecordingsList filter={filter} title="Recorded sessions" />
      </Content>
    </Page>
  );
}

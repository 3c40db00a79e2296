import { useEffect, useMemo, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  CreateSessionResponse,
  SessionEnded,
  SessionNotice,
  SessionReady,
} from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import LockIcon from '@material-ui/icons/Lock';
import RefreshIcon from '@material-ui/icons/Refresh';
import { Terminal } from '@xterm/xterm';
import { kubeTroubleshootApiRef } from '../../api';
import { ConnectionStatus, TerminalConnection } from './TerminalConnection';
import { TerminalBinding, TerminalView } from './TerminalView';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
    minHeight: 32,
  },
  grow: { flex: 1 },
  screen: { height: '62vh', minHeight: 320 },
}));

/** Why a session ended, in words for its status bar. */
export function endedText(ended: SessionEnded): string {
  if (ended.reason === 'exit') return `The shell exited with code ${ended.exitCode ?? 0}`;
  const code = ended.exitCode !== undefined ? ` (exit code ${ended.exitCode})` : '';
  const what: Record<SessionEnded['reason'], string> = {
    exit: 'The shell exited',
    idle: 'Closed for inactivity',
    'max-duration': 'Closed at the maximum session duration',
    shutdown: 'The portal backend restarted',
    upstream: 'The session ended',
    'no-shell': 'No shell in this container',
    client: 'Closed',
    lost: 'The connection to the portal backend was lost',
  };
  return `${what[ended.reason]}${code}: ${ended.message}`;
}

/**
 * One terminal: connects on mount, shows the shell, its state and why it ended, and reconnects with
 * a new ticket on demand. `onProduction` reports when the production wrapper is in force.
 */
export function TerminalSession(props: {
  /** Asks the backend for the session's ticket (again on Reconnect). */
  open: () => Promise<CreateSessionResponse>;
  /** Names the terminal for screen readers, e.g. `payments-api-1/api`. */
  label: string;
  onState?: (state: { status: ConnectionStatus; ended?: SessionEnded; denied?: string }) => void;
}) {
  const { open, label, onState } = props;
  const classes = useStyles();
  const api = useApi(kubeTroubleshootApiRef);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [ready, setReady] = useState<SessionReady>();
  const [ended, setEnded] = useState<SessionEnded>();
  const [notice, setNotice] = useState<SessionNotice>();
  const [failure, setFailure] = useState<Error & { statusCode?: number }>();
  const [warning, setWarning] = useState<string>();
  const writeRef = useRef<(data: Uint8Array | string) => void>(() => undefined);
  const termRef = useRef<Terminal>();

  const connection = useMemo(
    () =>
      new TerminalConnection(api, open, {
        data: bytes => writeRef.current(bytes),
        status: setStatus,
        ready: r => {
          setReady(r);
          setEnded(undefined);
          setNotice(undefined);
        },
        ended: e => {
          setEnded(e);
          setNotice(undefined);
          writeRef.current(`\r\n\x1b[2m[${endedText(e)}]\x1b[0m\r\n`);
        },
        notice: setNotice,
        failed: setFailure,
        warning: setWarning,
      }),
    // One connection per session: `open` is made once by the caller for it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, label],
  );

  const binding: TerminalBinding = useMemo(
    () => ({
      attach: write => {
        writeRef.current = write;
      },
      input: text => {
        setNotice(undefined);
        connection.input(text);
      },
      resize: (cols, rows) => connection.resize({ cols, rows }),
    }),
    [connection],
  );

  useEffect(() => {
    void connection.connect();
    return () => connection.close();
  }, [connection]);

  useEffect(() => {
    onState?.({ status, ended, denied: failure?.statusCode === 403 ? failure.message : undefined });
  }, [status, ended, failure, onState]);

  const reconnect = () => {
    setFailure(undefined);
    setEnded(undefined);
    writeRef.current('\r\n\x1b[2m[reconnecting: a new session]\x1b[0m\r\n');
    void connection.connect();
  };

  const copy = () => {
    const text = termRef.current?.getSelection();
    if (text) void navigator.clipboard?.writeText(text);
  };
  const paste = async () => {
    const text = await navigator.clipboard?.readText();
    if (text) connection.input(text);
    termRef.current?.focus();
  };

  const statusChip = {
    connecting: <Chip size="small" label="Connecting…" />,
    open: <Chip size="small" color="primary" label={`Connected · ${ready?.shell ?? 'shell'}`} />,
    ended: <Chip size="small" label="Ended" />,
    failed: <Chip size="small" label="Failed" />,
  }[status];

  return (
    <Box>
      <div className={classes.bar}>
        {statusChip}
        {ready?.production && (
          <Chip
            size="small"
            icon={<LockIcon />}
            color="secondary"
            label="Production: runs as a normal user"
            title="This cluster is marked production: the shell never runs as root"
          />
        )}
        {ready?.recordingId && <Typography variant="caption">Recorded (session {ready.recordingId.slice(0, 8)})</Typography>}
        <span className={classes.grow} />
        <Button size="small" onClick={copy} title="Copy the selection (Ctrl+Shift+C)">
          Copy
        </Button>
        <Button size="small" onClick={paste} title="Paste (Ctrl+Shift+V)">
          Paste
        </Button>
        {(status === 'ended' || status === 'failed') && (
          <Button size="small" variant="contained" color="primary" startIcon={<RefreshIcon />} onClick={reconnect}>
            Reconnect
          </Button>
        )}
      </div>
      {failure && (
        <Alert severity="error" style={{ marginBottom: 8 }}>
          Could not open the terminal{failure.statusCode ? ` (HTTP ${failure.statusCode})` : ''}: {failure.message}
        </Alert>
      )}
      {ended && (
        <Alert severity={ended.reason === 'exit' && !ended.exitCode ? 'info' : 'warning'} style={{ marginBottom: 8 }} role="status">
          {endedText(ended)}
        </Alert>
      )}
      {notice && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {notice.message}
        </Alert>
      )}
      {warning && (
        <Alert severity="info" onClose={() => setWarning(undefined)} style={{ marginBottom: 8 }}>
          {warning}
        </Alert>
      )}
      <div className={classes.screen}>
        <TerminalView binding={binding} label={`Terminal of ${label}`} onTerminal={t => (termRef.current = t)} />
      </div>
    </Box>
  );
}

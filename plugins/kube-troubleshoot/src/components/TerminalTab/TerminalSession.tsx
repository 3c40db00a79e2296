import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Link as RouterLink } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Link from '@material-ui/core/Link';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import TextField from '@material-ui/core/TextField';
import FullscreenIcon from '@material-ui/icons/Fullscreen';
import FullscreenExitIcon from '@material-ui/icons/FullscreenExit';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import LockIcon from '@material-ui/icons/Lock';
import SearchIcon from '@material-ui/icons/Search';
import RefreshIcon from '@material-ui/icons/Refresh';
import VisibilityIcon from '@material-ui/icons/Visibility';
import { Terminal } from '@xterm/xterm';
import { kubeTroubleshootApiRef } from '../../api';
import { ConnectionStatus, SessionOpening } from './TerminalConnection';
import { endedText, LiveTarget, LiveTerminal, useLiveTerminal } from './liveTerminals';
import { TerminalView } from './TerminalView';

export { endedText };

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
  screen: { minHeight: 320 },
  fullscreen: {
    position: 'fixed',
    inset: 0,
    zIndex: theme.zIndex.modal,
    background: theme.palette.background.default,
    padding: theme.spacing(1, 2),
    display: 'flex',
    flexDirection: 'column',
    '& $screen': { flex: 1, height: 'auto !important' },
  },
  search: { width: 220 },
}));

const FONT_KEY = 'kube-troubleshoot.terminal.fontSize';
const FONT_SIZES = [10, 11, 12, 13, 14, 16, 18, 20, 24];

/** The terminal text size, kept for the next terminal (this browser). */
function useFontSize(): [number, (step: 1 | -1) => void] {
  const [size, setSize] = useState(() => {
    const saved = Number(globalThis.localStorage?.getItem(FONT_KEY));
    return FONT_SIZES.includes(saved) ? saved : 14;
  });
  const step = useCallback((by: 1 | -1) => {
    setSize(current => {
      const next = FONT_SIZES[Math.min(FONT_SIZES.length - 1, Math.max(0, FONT_SIZES.indexOf(current) + by))];
      globalThis.localStorage?.setItem(FONT_KEY, String(next));
      return next;
    });
  }, []);
  return [size, step];
}

/** The screen's height: down to the window's bottom edge, so its last rows are never below it. */
function useHeightToBottom(ref: React.RefObject<HTMLElement>, active: boolean) {
  const [height, setHeight] = useState<number>();
  useLayoutEffect(() => {
    if (!active) return undefined;
    const measure = () => {
      const el = ref.current;
      if (!el || !el.offsetParent) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      setHeight(Math.max(320, window.innerHeight - top - 16));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [ref, active]);
  return height;
}

const short = (ref: string) => ref.replace(/^user:(default\/)?/, '');

/**
 * A terminal that lives as long as the view showing it (the Debug tab's): started on mount,
 * ended on unmount or when the page goes.
 */
export function OwnTerminalSession(props: { target: LiveTarget; open: () => Promise<SessionOpening>; onState?: (state: { status: ConnectionStatus; denied?: string }) => void }) {
  const { target, open, onState } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const live = useMemo(
    () => new LiveTerminal(`own-${Math.random().toString(36).slice(2)}`, target, 'owner', api, open, () => undefined),
    // One terminal per session: `open` is made once by the caller for it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api],
  );
  useEffect(() => {
    live.start();
    // Leaving the page ends it too: the browser would close the socket as "going away", which the
    // backend keeps for a reattach that this view never makes (and a debug copy would linger).
    const leave = () => live.dispose();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      live.dispose();
    };
  }, [live]);
  return <TerminalSession live={live} onState={onState} />;
}

/**
 * One live terminal: its screen, its state and why it ended, sharing (its owner) or watching (a
 * watcher), and a new session on demand. Unmounting it leaves the session running: it lives in
 * {@link LiveTerminal}, and the next view shows it again with its screen.
 */
export function TerminalSession(props: {
  live: LiveTerminal;
  onState?: (state: { status: ConnectionStatus; denied?: string }) => void;
}) {
  const { live, onState } = props;
  const classes = useStyles();
  const state = useLiveTerminal(live);
  const { status, ready, ended, notice, failure, warning, participants } = state;
  const termRef = useRef<Terminal>();
  const owner = live.role === 'owner';
  const [fontSize, stepFont] = useFontSize();
  const [fullscreen, setFullscreen] = useState(false);
  const [query, setQuery] = useState('');
  const screenRef = useRef<HTMLDivElement>(null);
  const height = useHeightToBottom(screenRef, !fullscreen);
  const [notFound, setNotFound] = useState(false);
  const find = (direction: 'next' | 'previous') => {
    if (!query) return;
    const options = { caseSensitive: false, regex: false };
    const found = direction === 'next' ? live.screen.search?.findNext(query, options) : live.screen.search?.findPrevious(query, options);
    setNotFound(!found);
  };

  useEffect(() => {
    onState?.({ status, denied: failure?.statusCode === 403 ? failure.message : undefined });
  }, [status, failure, onState]);

  // A watcher's screen is the owner's size.
  useEffect(() => {
    if (!owner && state.size) termRef.current?.resize(state.size.cols, state.size.rows);
  }, [owner, state.size]);

  const copy = () => {
    const text = termRef.current?.getSelection();
    if (text) void navigator.clipboard?.writeText(text);
  };
  const paste = async () => {
    const text = await navigator.clipboard?.readText();
    // As typed paste: bracketed when the shell asked for it.
    if (text) termRef.current?.paste(text);
    termRef.current?.focus();
  };

  const shell = ready?.shell ?? 'shell';
  const statusChip = {
    connecting: <Chip size="small" label="Connecting…" />,
    open: <Chip size="small" color="primary" label={owner ? `Connected · ${shell}` : `Watching ${short(ready?.owner ?? '')} · ${shell}`} />,
    reconnecting: <Chip size="small" color="secondary" label="Connection lost: reattaching…" />,
    ended: <Chip size="small" label="Ended" />,
    failed: <Chip size="small" label="Failed" />,
  }[status];
  const noShell = ended?.reason === 'no-shell';
  const watchers = participants?.watchers ?? [];
  const canReconnect = owner && (status === 'ended' || status === 'failed') && !noShell;

  return (
    <Box className={fullscreen ? classes.fullscreen : undefined} data-testid="terminal-session">
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
        {owner && watchers.length > 0 && (
          <Tooltip title={watchers.map(w => `${short(w.user)} (${w.role}) since ${new Date(w.since).toLocaleTimeString()}`).join(', ')}>
            <Chip size="small" icon={<VisibilityIcon />} label={`Watched by ${watchers.map(w => short(w.user)).join(', ')}`} data-testid="watchers" />
          </Tooltip>
        )}
        {!owner && status === 'open' && <Chip size="small" variant="outlined" label="Read-only" />}
        <span className={classes.grow} />
        {owner && status === 'open' && (
          <Button
            size="small"
            variant={participants?.shared ? 'contained' : 'outlined'}
            aria-pressed={Boolean(participants?.shared)}
            onClick={() => live.connection.control({ action: participants?.shared ? 'unshare' : 'share' })}
            title="Let the entity's owners watch this session read-only (kube-troubleshoot.terminal.watch); everyone who joins is shown here and in the recording"
          >
            {participants?.shared ? 'Stop sharing' : 'Share'}
          </Button>
        )}
        {live.role === 'moderator' && status === 'open' && (
          <Button size="small" variant="contained" color="secondary" onClick={() => live.connection.control({ action: 'terminate' })}>
            End session
          </Button>
        )}
        <TextField
          size="small"
          variant="outlined"
          className={classes.search}
          placeholder="Search the scrollback"
          value={query}
          error={notFound}
          inputProps={{ 'aria-label': 'Search the scrollback' }}
          onChange={e => {
            setQuery(e.target.value);
            setNotFound(false);
          }}
          onKeyDown={e => {
            if (e.key === 'Enter') find(e.shiftKey ? 'previous' : 'next');
          }}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          }}
        />
        <IconButton size="small" aria-label="Previous match" onClick={() => find('previous')} disabled={!query}>
          <KeyboardArrowUpIcon fontSize="small" />
        </IconButton>
        <IconButton size="small" aria-label="Next match" onClick={() => find('next')} disabled={!query}>
          <KeyboardArrowDownIcon fontSize="small" />
        </IconButton>
        <Button size="small" onClick={() => stepFont(-1)} aria-label="Smaller text" title={`Text size ${fontSize}`}>
          A−
        </Button>
        <Button size="small" onClick={() => stepFont(1)} aria-label="Larger text" title={`Text size ${fontSize}`}>
          A+
        </Button>
        <IconButton size="small" aria-label={fullscreen ? 'Exit full screen' : 'Full screen'} onClick={() => setFullscreen(f => !f)}>
          {fullscreen ? <FullscreenExitIcon /> : <FullscreenIcon />}
        </IconButton>
        <Button size="small" onClick={copy} title="Copy the selection (Ctrl+Shift+C)">
          Copy
        </Button>
        {owner && (
          <Button size="small" onClick={paste} title="Paste (Ctrl+Shift+V)">
            Paste
          </Button>
        )}
        {canReconnect && (
          <Button size="small" variant="contained" color="primary" startIcon={<RefreshIcon />} onClick={() => live.reconnect()}>
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
          {noShell ? (
            <>
              This container has no shell (neither sh nor bash): it is probably distroless.{' '}
              <Link component={RouterLink} to={{ pathname: '../debug', search: `?pod=${encodeURIComponent(live.target.pod)}&container=${encodeURIComponent(live.target.container)}` }} relative="path">
                Attach a tool container in the Debug tab
              </Link>
              .
            </>
          ) : (
            endedText(ended)
          )}
        </Alert>
      )}
      {notice && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {notice.message}
        </Alert>
      )}
      {warning && (
        <Alert severity="info" onClose={() => live.clearWarning()} style={{ marginBottom: 8 }}>
          {warning}
        </Alert>
      )}
      <div className={classes.screen} ref={screenRef} style={fullscreen ? undefined : { height: height ?? '62vh' }} data-testid="terminal-screen">
        <TerminalView binding={live.binding} keep={live.screen} readOnly={!owner} fontSize={fontSize} label={`Terminal of ${live.label}`} onTerminal={t => (termRef.current = t)} />
      </div>
    </Box>
  );
}

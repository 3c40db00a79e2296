import { useEffect, useState, useSyncExternalStore } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { useApi } from '@backstage/core-plugin-api';
import Badge from '@material-ui/core/Badge';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Link from '@material-ui/core/Link';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import TerminalIcon from '@material-ui/icons/Code';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { kubeTroubleshootApiRef } from '../../api';
import { LiveTerminal, liveTerminals, useLiveTerminal } from '../TerminalTab/liveTerminals';
import { age } from '../TerminalTab/age';

const useStyles = makeStyles(theme => ({
  dock: { position: 'fixed', right: theme.spacing(2), bottom: theme.spacing(2), zIndex: theme.zIndex.appBar, maxWidth: 420 },
  panel: { padding: theme.spacing(1, 1.5), minWidth: 320 },
  row: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0.5, 0) },
  text: { flex: 1, minWidth: 0 },
}));

const STATUS_WORDS = { connecting: 'connecting', open: 'running', reconnecting: 'reattaching', ended: 'ended', failed: 'failed' } as const;

function DockRow(props: { live: LiveTerminal; href?: string; now: number }) {
  const { live, href, now } = props;
  const classes = useStyles();
  const state = useLiveTerminal(live);
  const entity = live.target.entity;
  return (
    <div className={classes.row} data-testid="dock-session">
      <div className={classes.text}>
        <Typography variant="body2" noWrap>
          {href ? (
            <Link component={RouterLink} to={href}>
              {live.label}
            </Link>
          ) : (
            live.label
          )}
          {live.role !== 'owner' ? ' (watching)' : ''}
        </Typography>
        <Typography variant="caption" color="textSecondary" noWrap component="div">
          {entity.name} · {live.target.cluster} · {age(live.startedAt, now)} · {STATUS_WORDS[state.status]}
        </Typography>
      </div>
      <IconButton size="small" aria-label={`Close the terminal of ${live.label}`} onClick={() => liveTerminals.close(live.key)}>
        <CloseIcon fontSize="small" />
      </IconButton>
    </div>
  );
}

/**
 * The browser tab's open terminals, on every page of the portal: each with its pod, entity, age
 * and state, a link back to it (its screen is kept) and a close button. The new frontend system
 * renders it at the app root; legacy apps put `<KubeTroubleshootSessionDock />` inside their
 * `<AppRouter>`. It reads no route of the app, so it also renders outside the app's routes.
 *
 * @public
 */
export function KubeTroubleshootSessionDock() {
  const classes = useStyles();
  const api = useApi(kubeTroubleshootApiRef);
  const all = useSyncExternalStore(liveTerminals.subscribe, liveTerminals.list);
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(Date.now());
  // Sessions this browser tab had before a reload come back, wherever the portal opens.
  useEffect(() => liveTerminals.restore(api), [api]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!all.length) return null;
  // Back to the page it was opened on (whatever path the app gives the Terminal tab).
  const href = (live: LiveTerminal) => (live.target.href ? `${live.target.href}?session=${encodeURIComponent(live.key)}` : undefined);
  const running = all.filter(t => t.alive).length;
  return (
    <Box className={classes.dock} role="region" aria-label="Open terminals">
      {open ? (
        <Paper elevation={6} className={classes.panel}>
          <Box display="flex" alignItems="center">
            <Typography variant="subtitle2" style={{ flex: 1 }}>
              Open terminals ({running} running)
            </Typography>
            <IconButton size="small" aria-label="Hide the open terminals" onClick={() => setOpen(false)}>
              <ExpandMoreIcon fontSize="small" />
            </IconButton>
          </Box>
          {all.map(live => (
            <DockRow key={live.key} live={live} href={href(live)} now={now} />
          ))}
        </Paper>
      ) : (
        <Badge badgeContent={running} color="primary">
          <Button variant="contained" color="default" startIcon={<TerminalIcon />} onClick={() => setOpen(true)} aria-label={`Open terminals: ${running} running`}>
            Terminals
          </Button>
        </Badge>
      )}
    </Box>
  );
}

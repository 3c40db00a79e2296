import { useEffect, useRef } from 'react';
import { RecordingCommand } from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { clock } from './replay';

const useStyles = makeStyles(theme => ({
  list: { overflowY: 'auto', flex: 1, padding: 0 },
  item: { display: 'block', paddingTop: 2, paddingBottom: 2, borderLeft: '3px solid transparent' },
  current: { borderLeftColor: theme.palette.primary.main, background: theme.palette.action.selected },
  command: { fontFamily: 'Menlo, Consolas, "DejaVu Sans Mono", monospace', fontSize: 12, wordBreak: 'break-all', whiteSpace: 'pre-wrap' },
  failed: { color: theme.palette.error.main },
}));

/** The command in force at `time`: the last one that started by then. */
export function currentCommand(commands: RecordingCommand[], time: number): number {
  let current = -1;
  for (const [i, c] of commands.entries()) {
    if (c.at <= time + 1e-6) current = i;
    else break;
  }
  return current;
}

/** How a command ended, in a word or two. */
export function commandOutcome(c: RecordingCommand): string {
  if (c.exitCode === undefined) return c.source === 'input' ? 'typed' : '';
  return c.exitCode === 0 ? 'ok' : `exit ${c.exitCode}`;
}

/**
 * A recording's command index beside its replay: each command with its moment and outcome; a click
 * jumps the replay there. The command in force follows the replay.
 */
export function CommandList(props: { commands: RecordingCommand[]; time: number; onJump(at: number): void }) {
  const { commands, time, onJump } = props;
  const classes = useStyles();
  const current = currentCommand(commands, time);
  const currentRef = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    currentRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [current]);
  const typed = commands.some(c => c.source === 'input');
  return (
    <Box display="flex" flexDirection="column" minHeight={0} height="100%" component="nav" aria-label="Commands run in the session">
      <Typography variant="subtitle2" gutterBottom>
        Commands ({commands.length})
      </Typography>
      {!commands.length && (
        <Typography variant="body2" color="textSecondary">
          No command was recorded in this session.
        </Typography>
      )}
      {typed && (
        <Typography variant="caption" color="textSecondary" paragraph>
          Where the shell could not name its commands, they are the lines typed at its prompt.
        </Typography>
      )}
      <List dense className={classes.list}>
        {commands.map((c, i) => (
          <ListItem
            key={`${i}-${c.at}`}
            button
            ref={i === current ? currentRef : undefined}
            className={`${classes.item} ${i === current ? classes.current : ''}`}
            selected={i === current}
            aria-current={i === current ? 'step' : undefined}
            onClick={() => onJump(c.at)}
            aria-label={`Jump to ${clock(c.at)}: ${c.command}`}
          >
            <Typography variant="caption" color="textSecondary" component="div">
              {clock(c.at)}{' '}
              <span className={c.exitCode ? classes.failed : undefined}>{commandOutcome(c)}</span>
            </Typography>
            <div className={classes.command}>{c.command}</div>
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

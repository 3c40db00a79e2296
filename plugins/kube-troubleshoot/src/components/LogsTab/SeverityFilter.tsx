import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { SEVERITY_KEYS, SEVERITY_LABELS, SeverityKey } from './severity';

const COLORS: Record<SeverityKey, string> = {
  fatal: '#b71c1c',
  error: '#e53935',
  warn: '#f9a825',
  info: '#1e88e5',
  debug: '#8e8e8e',
  trace: '#bdbdbd',
  none: '#e0e0e0',
};

const useStyles = makeStyles(theme => ({
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(0.75) },
  level: {
    textTransform: 'none',
    padding: theme.spacing(0.25, 1),
    minWidth: 0,
    fontSize: 13,
  },
  on: { background: theme.palette.action.selected, borderColor: theme.palette.primary.main },
  dot: { width: 8, height: 8, borderRadius: 4, display: 'inline-block', marginRight: 6 },
  count: { marginLeft: 6, fontVariantNumeric: 'tabular-nums', color: theme.palette.text.secondary },
}));

/**
 * The levels of the lines held, each with its count, as toggles: none chosen shows every line;
 * choosing some shows only theirs (the stream's own notices always show).
 */
export function SeverityFilter(props: {
  counts: Record<SeverityKey, number>;
  chosen: ReadonlySet<SeverityKey>;
  onChange(next: Set<SeverityKey>): void;
}) {
  const classes = useStyles();
  const { counts, chosen } = props;
  // Levels with lines, and any chosen one (a linked filter whose lines have not arrived yet).
  const shown = SEVERITY_KEYS.filter(k => counts[k] > 0 || chosen.has(k));
  const toggle = (k: SeverityKey) => {
    const next = new Set(chosen);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    props.onChange(next);
  };
  return (
    <div className={classes.row} role="group" aria-label="Severity">
      <Typography variant="body2" color="textSecondary">
        Severity
      </Typography>
      {shown.map(k => (
        <Tooltip key={k} title={chosen.has(k) ? `Stop showing only ${SEVERITY_LABELS[k].toLowerCase()} lines` : `Show ${SEVERITY_LABELS[k].toLowerCase()} lines${chosen.size ? ' too' : ' only'}`}>
          <Button
            size="small"
            variant="outlined"
            aria-pressed={chosen.has(k)}
            aria-label={`${SEVERITY_LABELS[k]} ${counts[k]}`}
            className={`${classes.level} ${chosen.has(k) ? classes.on : ''}`}
            onClick={() => toggle(k)}
          >
            <span className={classes.dot} style={{ background: COLORS[k] }} aria-hidden />
            {SEVERITY_LABELS[k]}
            <span className={classes.count}>{counts[k].toLocaleString('en-US')}</span>
          </Button>
        </Tooltip>
      ))}
      {!shown.length && (
        <Typography variant="body2" color="textSecondary">
          no lines yet
        </Typography>
      )}
      {chosen.size > 0 && (
        <Button size="small" color="primary" onClick={() => props.onChange(new Set())}>
          All levels
        </Button>
      )}
    </div>
  );
}

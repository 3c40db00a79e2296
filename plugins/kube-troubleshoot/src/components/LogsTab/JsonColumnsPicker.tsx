import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(0.5) },
  field: { textTransform: 'none', fontFamily: 'monospace', padding: theme.spacing(0.125, 0.75), minWidth: 0 },
  on: { background: theme.palette.action.selected, borderColor: theme.palette.primary.main },
}));

/** The JSON fields seen, as toggles: a chosen one is a column (in the order chosen), the rest are collapsed. */
export function JsonColumnsPicker(props: { fields: string[]; columns: string[]; onChange(next: string[]): void }) {
  const classes = useStyles();
  const { fields, columns } = props;
  const all = [...columns, ...fields.filter(f => !columns.includes(f))];
  return (
    <div className={classes.row} role="group" aria-label="JSON columns">
      <Typography variant="body2" color="textSecondary">
        Columns
      </Typography>
      {all.map(f => {
        const on = columns.includes(f);
        return (
          <Button
            key={f}
            size="small"
            variant="outlined"
            aria-pressed={on}
            className={`${classes.field} ${on ? classes.on : ''}`}
            onClick={() => props.onChange(on ? columns.filter(c => c !== f) : [...columns, f])}
          >
            {f}
          </Button>
        );
      })}
      {!all.length && (
        <Typography variant="body2" color="textSecondary">
          no JSON lines yet
        </Typography>
      )}
    </div>
  );
}

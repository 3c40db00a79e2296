import { ContainerMetrics, formatBytes, formatCores, PodMetrics } from '@kube-troubleshoot/backstage-plugin-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { sparklinePath } from './sparkline';

const CHART = { width: 120, height: 22 };

const useStyles = makeStyles(theme => ({
  table: { width: '100%', borderCollapse: 'collapse', marginTop: theme.spacing(1), fontSize: 13 },
  cell: { padding: theme.spacing(0.25, 0.5), verticalAlign: 'middle', whiteSpace: 'nowrap' },
  name: { fontFamily: 'monospace' },
  amount: { fontVariantNumeric: 'tabular-nums', whiteSpace: 'normal', width: '100%' },
  chartCell: { width: 124 },
  chart: { display: 'block' },
  near: { color: theme.palette.error.main, fontWeight: 600 },
  flag: { marginTop: theme.spacing(0.5), color: theme.palette.error.main, fontWeight: 600 },
}));

/** `61 MiB of 64 MiB limit (95%)`, `12 MiB (requests 32 MiB, no limit)`, `120m of 500m limit`. */
export function usageText(used: number | undefined, request: number | undefined, limit: number | undefined, format: (n: number) => string): string {
  if (used === undefined) return 'no sample yet';
  if (limit !== undefined) return `${format(used)} of ${format(limit)} limit (${Math.round((used / limit) * 100)}%)`;
  return `${format(used)}${request !== undefined ? ` (request ${format(request)}, no limit)` : ' (no request or limit)'}`;
}

function Sparkline(props: { values: number[]; max: number; label: string; warn: boolean }) {
  const classes = useStyles();
  const d = sparklinePath(props.values, CHART.width, CHART.height, props.max);
  return (
    <svg className={classes.chart} width={CHART.width} height={CHART.height} role="img" aria-label={props.label}>
      <line x1={0} x2={CHART.width} y1={0.5} y2={0.5} stroke="#bdbdbd" strokeDasharray="2 2" />
      {d && <path d={d} fill="none" stroke={props.warn ? '#e53935' : '#1e88e5'} strokeWidth={1.5} />}
    </svg>
  );
}

function Row(props: { c: ContainerMetrics; what: 'cpu' | 'memory'; windowMinutes: number }) {
  const classes = useStyles();
  const { c, what } = props;
  const cpu = what === 'cpu';
  const used = cpu ? c.usage?.cpuCores : c.usage?.memoryBytes;
  const request = cpu ? c.requests.cpuCores : c.requests.memoryBytes;
  const limit = cpu ? c.limits.cpuCores : c.limits.memoryBytes;
  const values = c.history.map(h => (cpu ? h.cpuCores : h.memoryBytes));
  // The chart's top: the limit when there is one, else the most seen (with room).
  const max = limit ?? Math.max(request ?? 0, ...values) * 1.2;
  const format = cpu ? formatCores : formatBytes;
  const near = !cpu && c.nearMemoryLimit;
  return (
    <tr>
      <td className={`${classes.cell} ${classes.name}`}>{cpu ? c.name : ''}</td>
      <td className={classes.cell}>{cpu ? 'CPU' : 'Memory'}</td>
      <td className={`${classes.cell} ${classes.amount} ${near ? classes.near : ''}`}>{usageText(used, request, limit, format)}</td>
      <td className={`${classes.cell} ${classes.chartCell}`}>
        <Sparkline
          values={values}
          max={max}
          warn={near}
          label={`${c.name} ${cpu ? 'CPU' : 'memory'} over the last ${props.windowMinutes} minutes${limit !== undefined ? `, against its ${format(limit)} limit` : ''}`}
        />
      </td>
    </tr>
  );
}

/**
 * Each container's CPU and memory against its requests and limits, with the last minutes as a small
 * chart (its top is the limit), and a flag on a container close to its memory limit: it is about to
 * be OOM-killed.
 */
export function ContainerUsage(props: { pod: PodMetrics; windowSeconds: number }) {
  const classes = useStyles();
  // A pod that never ran (not scheduled, no image) has nothing to show.
  if (!props.pod.containers.some(c => c.usage || c.history.length)) return null;
  const windowMinutes = Math.round(props.windowSeconds / 60);
  const near = props.pod.containers.filter(c => c.nearMemoryLimit);
  return (
    <div data-testid={`usage-${props.pod.pod}`}>
      <table className={classes.table} aria-label={`CPU and memory of ${props.pod.pod}`} data-usage>
        <tbody>
          {props.pod.containers.flatMap(c => [
            <Row key={`${c.name}-cpu`} c={c} what="cpu" windowMinutes={windowMinutes} />,
            <Row key={`${c.name}-memory`} c={c} what="memory" windowMinutes={windowMinutes} />,
          ])}
        </tbody>
      </table>
      {near.map(c => (
        <Typography key={c.name} variant="body2" className={classes.flag} role="status">
          {`${c.name} is near its memory limit: it is OOM-killed at ${formatBytes(c.limits.memoryBytes ?? 0)}`}
        </Typography>
      ))}
    </div>
  );
}

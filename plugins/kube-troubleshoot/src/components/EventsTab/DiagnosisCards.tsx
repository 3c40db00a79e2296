import { InfoCard } from '@backstage/core-components';
import {
  DiagnosisSeverity,
  EntityMetricsResponse,
  PodDiagnosis,
} from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerUsage } from './ContainerUsage';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import InfoIcon from '@material-ui/icons/Info';
import WarningIcon from '@material-ui/icons/Warning';

export const severityColor = (theme: Theme, s: DiagnosisSeverity) =>
  ({
    error: theme.palette.error.main,
    warning: theme.palette.warning.main,
    info: theme.palette.info.main,
    ok: theme.palette.success.main,
  }[s]);

const useStyles = makeStyles(theme => ({
  verdict: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  icon: { flexShrink: 0 },
  error: { color: severityColor(theme, 'error') },
  warning: { color: severityColor(theme, 'warning') },
  info: { color: severityColor(theme, 'info') },
  ok: { color: severityColor(theme, 'ok') },
  details: {
    margin: theme.spacing(1, 0, 0),
    padding: theme.spacing(1),
    background: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 180,
    overflow: 'auto',
  },
}));

const ICONS = {
  error: ErrorIcon,
  warning: WarningIcon,
  info: InfoIcon,
  ok: CheckCircleIcon,
};
const LABELS = {
  error: 'Failing',
  warning: 'Warning',
  info: 'Note',
  ok: 'Healthy',
};

/** Worst first, so the pod to look at is the first card. */
const RANK: Record<DiagnosisSeverity, number> = {
  error: 0,
  warning: 1,
  info: 2,
  ok: 3,
};

export function DiagnosisCard(props: {
  diagnosis: PodDiagnosis;
  showCluster: boolean;
  metrics?: EntityMetricsResponse;
}) {
  const { diagnosis: d, showCluster, metrics } = props;
  const usage = metrics?.pods.find(p => p.cluster === d.cluster && p.namespace === d.namespace && p.pod === d.pod);
  const noMetrics = metrics?.clusterErrors.find(e => e.cluster === d.cluster);
  const classes = useStyles();
  const Icon = ICONS[d.severity] ?? InfoIcon;
  return (
    <InfoCard
      title={d.pod}
      subheader={[
        showCluster ? `cluster ${d.cluster}` : undefined,
        `namespace ${d.namespace}`,
        d.container && `container ${d.container}`,
      ]
        .filter(Boolean)
        .join(' · ')}
      titleTypographyProps={{
        variant: 'h6',
        style: { fontSize: 16, overflowWrap: 'anywhere' },
      }}
    >
      <div className={classes.verdict} data-testid={`diagnosis-${d.pod}`}>
        <Icon
          titleAccess={LABELS[d.severity]}
          className={`${classes.icon} ${classes[d.severity]}`}
        />
        <Typography variant="body1" component="div">
          <strong>{d.verdict}</strong>
        </Typography>
      </div>
      <Typography variant="body2">
        <strong>Next step:</strong> {d.nextStep}
      </Typography>
      {d.details.length > 0 && (
        <Box component="pre" className={classes.details}>
          {d.details.join('\n')}
        </Box>
      )}
      {usage && <ContainerUsage pod={usage} windowSeconds={metrics!.windowSeconds} />}
      {!usage && noMetrics && (
        <Typography variant="caption" color="textSecondary" component="p" style={{ marginTop: 8 }}>
          CPU and memory unavailable on {d.cluster}: {noMetrics.message}
        </Typography>
      )}
    </InfoCard>
  );
}

export function DiagnosisCards(props: { pods: PodDiagnosis[]; metrics?: EntityMetricsResponse }) {
  const { pods, metrics } = props;
  const sorted = [...pods].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || a.pod.localeCompare(b.pod),
  );
  const showCluster = new Set(pods.map(p => p.cluster)).size > 1;
  return (
    <Grid container spacing={2}>
      {sorted.map(d => (
        <Grid
          item
          xs={12}
          md={6}
          lg={6}
          xl={4}
          key={`${d.cluster}/${d.namespace}/${d.pod}`}
        >
          <div data-testid={`card-${d.pod}`}>
            <DiagnosisCard diagnosis={d} showCluster={showCluster} metrics={metrics} />
          </div>
        </Grid>
      ))}
    </Grid>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  Progress,
  SubvalueCell,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  EventStreamMessage,
  KubeEvent,
  kubeTroubleshootEventsReadPermission,
  EntityMetricsResponse,
  PodDiagnosis,
} from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import FiberManualRecordIcon from '@material-ui/icons/FiberManualRecord';
import InfoIcon from '@material-ui/icons/Info';
import WarningIcon from '@material-ui/icons/Warning';
import Alert from '@material-ui/lab/Alert';
import { KubeTroubleshootApiError, kubeTroubleshootApiRef } from '../../api';
import {
  ClusterErrorsPanel,
  DeniedPanel,
  EntityTabGate,
  NoPodsEmptyState,
  RequestErrorPanel,
} from '../common/TabStates';
import { DiagnosisCards } from './DiagnosisCards';
import { usePodMetrics } from './usePodMetrics';
import { relativeTime, sortedEvents } from './eventsState';
import { useEventStream, WatchStatus } from './useEventStream';

const useStyles = makeStyles(theme => ({
  section: { marginBottom: theme.spacing(3) },
  controls: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  grow: { flex: 1 },
  type: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: 4,
    whiteSpace: 'nowrap',
  },
  warning: { color: theme.palette.warning.main },
  normal: { color: theme.palette.text.secondary },
  live: { color: theme.palette.success.main },
  waiting: { color: theme.palette.warning.main },
  message: { overflowWrap: 'anywhere' },
}));

/** Re-renders every `ms`, so relative times stay true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

const WATCH_LABEL: Record<WatchStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not live',
};

function EventsTable(props: {
  events: KubeEvent[];
  now: number;
  title: string;
}) {
  const { events, now, title } = props;
  const classes = useStyles();
  const time = (iso?: string) => Date.parse(iso ?? '') || 0;
  const seen = (iso?: string) => (
    <Tooltip title={iso ? new Date(iso).toLocaleString() : 'unknown'}>
      <span style={{ whiteSpace: 'nowrap' }}>{relativeTime(iso, now)}</span>
    </Tooltip>
  );
  const columns: TableColumn<KubeEvent>[] = [
    {
      title: 'Type',
      field: 'type',
      width: '110px',
      render: e => (
        <span
          className={`${classes.type} ${
            e.type === 'Warning' ? classes.warning : classes.normal
          }`}
        >
          {e.type === 'Warning' ? (
            <WarningIcon fontSize="small" />
          ) : (
            <InfoIcon fontSize="small" />
          )}
          {e.type}
        </span>
      ),
    },
    { title: 'Reason', field: 'reason', width: '150px', cellStyle: { overflowWrap: 'anywhere' } },
    {
      title: 'Object',
      field: 'object.name',
      width: '190px',
      cellStyle: { overflowWrap: 'anywhere' },
      customFilterAndSearch: (term: string, e) =>
        `${e.object.kind}/${e.object.name} ${e.object.fieldPath ?? ''}`
          .toLowerCase()
          .includes(term.toLowerCase()),
      render: e => (
        <SubvalueCell
          value={`${e.object.kind}/${e.object.name}`}
          subvalue={e.object.fieldPath ?? ''}
        />
      ),
    },
    {
      title: 'Message',
      field: 'message',
      render: e => <span className={classes.message}>{e.message}</span>,
    },
    { title: 'Count', field: 'count', type: 'numeric', width: '100px', headerStyle: { whiteSpace: 'nowrap' } },
    {
      title: 'First seen',
      field: 'firstSeen',
      width: '120px',
      headerStyle: { whiteSpace: 'nowrap' },
      customSort: (a, b) => time(a.firstSeen) - time(b.firstSeen),
      render: e => seen(e.firstSeen),
    },
    {
      title: 'Last seen',
      field: 'lastSeen',
      width: '120px',
      headerStyle: { whiteSpace: 'nowrap' },
      defaultSort: 'desc',
      customSort: (a, b) =>
        time(a.lastSeen ?? a.firstSeen) - time(b.lastSeen ?? b.firstSeen),
      render: e => seen(e.lastSeen ?? e.firstSeen),
    },
  ];
  // material-table writes its own bookkeeping into rows: give it copies, not the stream's objects.
  const data = useMemo(() => events.map(e => ({ ...e })), [events]);
  return (
    <Table<KubeEvent>
      title={title}
      columns={columns}
      data={data}
      options={{
        paging: events.length > 20,
        pageSize: 20,
        pageSizeOptions: [20, 50, 100],
        padding: 'dense',
        // Fixed widths for all but the message, which is what is read: it gets the rest of the row.
        tableLayout: 'fixed',
        search: true,
        emptyRowsWhenPaging: false,
      }}
      emptyContent={
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No events. Kubernetes keeps events for about an hour; new ones
            appear here as they happen.
          </Typography>
        </Box>
      }
    />
  );
}

function DiagnosisSection(props: {
  error?: Error;
  loaded: boolean;
  pods: PodDiagnosis[];
  metrics?: EntityMetricsResponse;
}) {
  if (props.error)
    return (
      <RequestErrorPanel
        title="Could not diagnose the pods"
        error={props.error}
      />
    );
  if (!props.loaded) return <Progress />;
  if (!props.pods.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No pod to diagnose.
      </Typography>
    );
  }
  return <DiagnosisCards pods={props.pods} metrics={props.metrics} />;
}

function EventsContent(props: { entity: Entity }) {
  const { entity } = props;
  const classes = useStyles();
  const api = useApi(kubeTroubleshootApiRef);
  const ref = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const now = useNow(15_000);
  const [params, setParams] = useSearchParams();
  const [warningsOnly, setWarningsOnly] = useState(false);

  const diagnosis = useAsyncRetry(() => api.getDiagnosis(ref), [api, ref]);
  const metrics = usePodMetrics(ref);
  // Warnings change the verdicts: refresh the diagnosis a moment after one arrives.
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>();
  const retryDiagnosis = diagnosis.retry;
  const onChange = (m: EventStreamMessage) => {
    if (
      m.type !== 'upsert' ||
      m.event.type !== 'Warning' ||
      refreshTimer.current
    )
      return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      retryDiagnosis();
    }, 2000);
  };
  useEffect(() => () => clearTimeout(refreshTimer.current), []);
  const events = useEventStream(ref, onChange);

  const all = useMemo(() => sortedEvents(events.byId), [events.byId]);
  const pods = useMemo(
    () =>
      [...new Set([...(diagnosis.value?.pods ?? []).map(p => p.pod)])].sort(
        (a, b) => a.localeCompare(b),
      ),
    [diagnosis.value],
  );
  const wantedPod = params.get('pod') ?? '';
  const pod = pods.includes(wantedPod) ? wantedPod : '';
  const setPod = (next: string) =>
    setParams(
      prev => {
        const p = new URLSearchParams(prev);
        if (next) p.set('pod', next);
        else p.delete('pod');
        p.delete('container');
        return p;
      },
      { replace: true },
    );

  const denied = [diagnosis.error, events.error].find(
    (e): e is KubeTroubleshootApiError =>
      e instanceof KubeTroubleshootApiError && e.statusCode === 403,
  );
  if (denied) {
    return (
      <DeniedPanel
        entity={entity}
        what="events"
        permission={kubeTroubleshootEventsReadPermission}
        detail={denied.message}
      />
    );
  }
  if (
    !events.loaded &&
    (diagnosis.loading || !diagnosis.value) &&
    !diagnosis.error &&
    events.status !== 'failed'
  ) {
    return <Progress />;
  }
  if (diagnosis.error && events.status === 'failed' && events.error) {
    return (
      <RequestErrorPanel
        title={`Could not read the events of ${entity.metadata.name}`}
        error={events.error}
        clusterErrors={events.clusterErrors}
      />
    );
  }
  const clusterErrors = [
    ...(diagnosis.value?.clusterErrors ?? []),
    ...events.clusterErrors,
  ].filter((e, i, list) => list.findIndex(x => x.cluster === e.cluster) === i);
  if (
    events.loaded &&
    diagnosis.value &&
    !diagnosis.value.pods.length &&
    !all.length
  ) {
    if (clusterErrors.length) {
      return (
        <RequestErrorPanel
          title={`Could not read the workload of ${entity.metadata.name}`}
          error={
            new Error('No cluster answered; see the errors per cluster below')
          }
          clusterErrors={clusterErrors}
        />
      );
    }
    return <NoPodsEmptyState entity={entity} />;
  }

  const forPod = (e: KubeEvent) =>
    !pod || (e.object.kind === 'Pod' && e.object.name === pod);
  const shown = all.filter(
    e => forPod(e) && (!warningsOnly || e.type === 'Warning'),
  );
  const warnings = all.filter(e => forPod(e) && e.type === 'Warning').length;
  const diagnoses = (diagnosis.value?.pods ?? []).filter(
    d => !pod || d.pod === pod,
  );

  return (
    <Box>
      <ClusterErrorsPanel clusterErrors={clusterErrors} />
      <div className={classes.controls}>
        <TextField
          select
          label="Pod"
          size="small"
          variant="outlined"
          style={{ minWidth: 260 }}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          value={pod}
          onChange={e => setPod(e.target.value)}
          inputProps={{ 'aria-label': 'Pod' }}
        >
          <option value="">All pods and their owners</option>
          {pods.map(p => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </TextField>
        <FormControlLabel
          control={
            <Switch
              color="primary"
              checked={warningsOnly}
              onChange={e => setWarningsOnly(e.target.checked)}
            />
          }
          label={`Warnings only (${warnings})`}
        />
        <span className={classes.grow} />
        <Tooltip
          title={
            events.status === 'live'
              ? 'New events appear as they happen'
              : events.error?.message ?? 'Opening the watch'
          }
        >
          <Chip
            size="small"
            variant="outlined"
            icon={
              <FiberManualRecordIcon
                fontSize="small"
                className={
                  events.status === 'live' ? classes.live : classes.waiting
                }
              />
            }
            label={WATCH_LABEL[events.status]}
          />
        </Tooltip>
      </div>
      <div className={classes.section}>
        <Typography variant="h6" gutterBottom>
          Diagnosis
        </Typography>
        <DiagnosisSection
          error={diagnosis.error}
          loaded={Boolean(diagnosis.value)}
          pods={diagnoses}
          metrics={metrics.value}
        />
      </div>
      {events.error && (
        <Alert
          severity={events.status === 'failed' ? 'error' : 'warning'}
          style={{ marginBottom: 8 }}
        >
          {events.status === 'failed'
            ? 'Could not watch the events: '
            : 'The live watch dropped; retrying: '}
          {events.error.message}
        </Alert>
      )}
      {events.streamErrors.length > 0 && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {events.streamErrors.map((e, i) => (
            <div key={i}>{e}</div>
          ))}
        </Alert>
      )}
      {!events.loaded && events.status !== 'failed' ? (
        <Progress />
      ) : (
        <EventsTable
          events={shown}
          now={now}
          title={`${warningsOnly ? 'Warning events' : 'Events'} (${
            shown.length
          })`}
        />
      )}
    </Box>
  );
}

/**
 * The Events tab of an entity: a diagnosis per pod, then the workload's events, live.
 *
 * @public
 */
export function EventsTab() {
  const { entity } = useEntity();
  return (
    <EntityTabGate
      entity={entity}
      permission={kubeTroubleshootEventsReadPermission}
      what="events"
    >
      <EventsContent entity={entity} />
    </EntityTabGate>
  );
}

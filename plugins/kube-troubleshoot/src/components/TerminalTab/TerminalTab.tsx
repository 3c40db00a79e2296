import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CreateSessionRequest,
  CreateSessionResponse,
  kubeTroubleshootTerminalCreatePermission,
  PodSummary,
} from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import TerminalIcon from '@material-ui/icons/Code';
import { KubeTroubleshootApiError, kubeTroubleshootApiRef } from '../../api';
import { ClusterErrorsPanel, DeniedPanel, EntityTabGate, NoPodsEmptyState, RequestErrorPanel } from '../common/TabStates';
import { podLabel } from '../LogsTab/podLabels';
import { RecordingsList } from '../Recordings/RecordingsList';
import { TerminalSession } from './TerminalSession';

const useStyles = makeStyles(theme => ({
  toolbar: { padding: theme.spacing(1.5, 2), marginBottom: theme.spacing(1), display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(1.5) },
  picker: { width: 320 },
  container: { width: 240 },
  tabLabel: { display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), textTransform: 'none' },
  session: { padding: theme.spacing(1, 0) },
}));

interface OpenSession {
  id: number;
  target: CreateSessionRequest;
  open: () => Promise<CreateSessionResponse>;
}

/** Why a container cannot get a shell now, or undefined when it can. */
export function notRunningReason(pod: PodSummary, container: string): string | undefined {
  const c = pod.containers.find(x => x.name === container);
  if (!c) return `no container ${container} in ${pod.name}`;
  if (c.state === 'running') return undefined;
  return `${c.name} is ${c.reason ?? c.state}: a shell needs a running container (the Debug tab can inspect it)`;
}

function TerminalWorkspace(props: { entity: Entity; pods: PodSummary[] }) {
  const { entity, pods } = props;
  const classes = useStyles();
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const [params, setParams] = useSearchParams();
  const multiCluster = new Set(pods.map(p => p.cluster)).size > 1;
  const pod = pods.find(p => p.name === params.get('pod') && (!params.get('cluster') || p.cluster === params.get('cluster'))) ?? pods[0];
  const containers = pod.containers.filter(c => c.kind !== 'init');
  const container = containers.find(c => c.name === params.get('container'))?.name ?? containers.find(c => c.state === 'running')?.name ?? containers[0]?.name ?? '';
  const linked = Boolean(params.get('pod') && params.get('container') && pod.name === params.get('pod') && container === params.get('container'));
  const api = useApi(kubeTroubleshootApiRef);
  const session = (id: number, target: CreateSessionRequest): OpenSession => ({ id, target, open: () => api.createSession(entityRef, target) });
  const [sessions, setSessions] = useState<OpenSession[]>(() =>
    linked && !notRunningReason(pod, container) ? [session(1, { cluster: pod.cluster, pod: pod.name, container, namespace: pod.namespace })] : [],
  );
  const [current, setCurrent] = useState(sessions[0]?.id ?? 0);
  const [denied, setDenied] = useState<string>();
  const blocked = notRunningReason(pod, container);

  const select = (next: { pod?: PodSummary; container?: string }) =>
    setParams(
      prev => {
        const p = new URLSearchParams(prev);
        const nextPod = next.pod ?? pod;
        p.set('pod', nextPod.name);
        if (multiCluster) p.set('cluster', nextPod.cluster);
        else p.delete('cluster');
        if (next.container) p.set('container', next.container);
        else p.delete('container');
        return p;
      },
      { replace: true },
    );

  const open = () => {
    const id = Math.max(0, ...sessions.map(s => s.id)) + 1;
    setSessions(s => [...s, session(id, { cluster: pod.cluster, pod: pod.name, container, namespace: pod.namespace })]);
    setCurrent(id);
  };
  const closeSession = (id: number) => {
    const rest = sessions.filter(s => s.id !== id);
    setSessions(rest);
    if (current === id) setCurrent(rest[rest.length - 1]?.id ?? 0);
  };
  const onState = useCallback((state: { denied?: string }) => {
    if (state.denied) setDenied(state.denied);
  }, []);

  if (denied) {
    return <DeniedPanel entity={entity} what="terminal" permission={kubeTroubleshootTerminalCreatePermission} detail={denied} />;
  }

  return (
    <Box>
      <Paper className={classes.toolbar}>
        <TextField
          select
          label="Pod"
          variant="outlined"
          size="small"
          className={classes.picker}
          value={`${pod.cluster}/${pod.name}`}
          onChange={e => select({ pod: pods.find(p => `${p.cluster}/${p.name}` === e.target.value) })}
        >
          {pods.map(p => (
            <MenuItem key={`${p.cluster}/${p.name}`} value={`${p.cluster}/${p.name}`}>
              {podLabel(p, multiCluster)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Container"
          variant="outlined"
          size="small"
          className={classes.container}
          value={container}
          onChange={e => select({ container: e.target.value })}
          SelectProps={{ inputProps: { 'aria-label': 'Container' } }}
        >
          {containers.map(c => (
            <MenuItem key={c.name} value={c.name}>
              {c.name}
              {c.state !== 'running' ? ` (${c.reason ?? c.state})` : ''}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="contained" color="primary" startIcon={<TerminalIcon />} onClick={open} disabled={Boolean(blocked)}>
          Open terminal
        </Button>
        {blocked && (
          <Typography variant="body2" color="textSecondary">
            {blocked}
          </Typography>
        )}
      </Paper>
      {sessions.length > 0 ? (
        <>
          <Tabs value={current} onChange={(_e, v) => setCurrent(v)} indicatorColor="primary" variant="scrollable">
            {sessions.map(s => (
              <Tab
                key={s.id}
                value={s.id}
                component="div"
                label={
                  <span className={classes.tabLabel}>
                    {s.target.pod}/{s.target.container}
                    <IconButton
                      size="small"
                      aria-label={`Close the terminal of ${s.target.pod}/${s.target.container}`}
                      onClick={e => {
                        e.stopPropagation();
                        closeSession(s.id);
                      }}
                    >
                      <CloseIcon fontSize="small" />
                    </IconButton>
                  </span>
                }
              />
            ))}
          </Tabs>
          {sessions.map(s => (
            <div key={s.id} hidden={s.id !== current} className={classes.session}>
              <TerminalSession open={s.open} label={`${s.target.pod}/${s.target.container}`} onState={onState} />
            </div>
          ))}
        </>
      ) : (
        <Typography variant="body2" color="textSecondary" style={{ margin: '16px 0' }}>
          Pick a running container and open a terminal. Sessions are recorded; several can stay open side by side.
        </Typography>
      )}
      <RecordingsList entity={entityRef} />
    </Box>
  );
}

function TerminalContent(props: { entity: Entity }) {
  const { entity } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const ref = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const { value, loading, error } = useAsyncRetry(() => api.getPods(ref), [api, ref]);
  if (loading && !value) return <Progress />;
  if (error) {
    if (error instanceof KubeTroubleshootApiError && error.statusCode === 403) {
      return <DeniedPanel entity={entity} what="pods" permission={kubeTroubleshootTerminalCreatePermission} detail={error.message} />;
    }
    return <RequestErrorPanel title={`Could not list the pods of ${entity.metadata.name}`} error={error} />;
  }
  if (!value) return <Progress />;
  if (!value.pods.length) return <NoPodsEmptyState entity={entity} />;
  return (
    <>
      <ClusterErrorsPanel clusterErrors={value.clusterErrors} />
      <TerminalWorkspace entity={entity} pods={value.pods} />
    </>
  );
}

/**
 * The Terminal tab of an entity: shells in its containers, through the portal, recorded.
 *
 * @public
 */
export function TerminalTab() {
  const { entity } = useEntity();
  return (
    <EntityTabGate entity={entity} permission={kubeTroubleshootTerminalCreatePermission} what="terminal">
      <TerminalContent entity={entity} />
    </EntityTabGate>
  );
}

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CreateSessionRequest,
  kubeTroubleshootTerminalCreatePermission,
  PodSummary,
} from '@kube-troubleshoot/backstage-plugin-common';
import Alert from '@material-ui/lab/Alert';
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
import { liveTerminals, sameEntity } from './liveTerminals';
import { LiveSessionsPanel } from './LiveSessionsPanel';

const useStyles = makeStyles(theme => ({
  toolbar: { padding: theme.spacing(1.5, 2), marginBottom: theme.spacing(1), display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(1.5) },
  picker: { width: 320 },
  container: { width: 240 },
  tabLabel: { display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), textTransform: 'none' },
  session: { padding: theme.spacing(1, 0) },
}));

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
  const { pathname } = useLocation();
  const multiCluster = new Set(pods.map(p => p.cluster)).size > 1;
  const pod = pods.find(p => p.name === params.get('pod') && (!params.get('cluster') || p.cluster === params.get('cluster'))) ?? pods[0];
  const containers = pod.containers.filter(c => c.kind !== 'init');
  const container = containers.find(c => c.name === params.get('container'))?.name ?? containers.find(c => c.state === 'running')?.name ?? containers[0]?.name ?? '';
  const linked = Boolean(params.get('pod') && params.get('container') && pod.name === params.get('pod') && container === params.get('container'));
  const api = useApi(kubeTroubleshootApiRef);
  // The tab's terminals live in this browser tab's registry: switching tabs, or pages, leaves them running.
  useEffect(() => liveTerminals.restore(api), [api]);
  const all = useSyncExternalStore(liveTerminals.subscribe, liveTerminals.list);
  const sessions = all.filter(t => sameEntity(t.target.entity, entityRef));
  const [picked, setPicked] = useState<string | undefined>(params.get('session') ?? undefined);
  const current = sessions.find(s => s.key === picked)?.key ?? sessions[sessions.length - 1]?.key ?? '';
  const [denied, setDenied] = useState<string>();
  // A link to a container asks before it opens a shell (a reload must not start a new recorded one).
  const [askLink, setAskLink] = useState(linked);
  const linkedOpen = sessions.some(s => s.alive && s.target.pod === pod.name && s.target.container === container);
  const blocked = notRunningReason(pod, container);

  const select = (next: { pod?: PodSummary; container?: string }) => {
    setAskLink(false);
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
  };

  const open = () => {
    const request: CreateSessionRequest = { cluster: pod.cluster, pod: pod.name, container, namespace: pod.namespace };
    const live = liveTerminals.open(api, { entity: entityRef, ...request, href: pathname }, 'owner', () => api.createSession(entityRef, request));
    setPicked(live.key);
    setAskLink(false);
  };
  const closeSession = (key: string) => liveTerminals.close(key);
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
      {askLink && linked && !linkedOpen && !blocked && (
        <Alert
          severity="info"
          style={{ marginBottom: 8 }}
          action={
            <Button color="primary" variant="contained" size="small" onClick={open}>
              Open terminal
            </Button>
          }
        >
          This link is to {pod.name}/{container}. Open a new shell there? It is recorded.
        </Alert>
      )}
      <LiveSessionsPanel entity={entityRef} href={pathname} onWatch={setPicked} />
      {sessions.length > 0 ? (
        <>
          <Tabs value={current} onChange={(_e, v) => setPicked(v)} indicatorColor="primary" variant="scrollable">
            {sessions.map(s => (
              <Tab
                key={s.key}
                value={s.key}
                component="div"
                label={
                  <span className={classes.tabLabel}>
                    {s.role === 'owner' ? s.label : `${s.label} (watching)`}
                    <IconButton
                      size="small"
                      aria-label={`Close the terminal of ${s.label}`}
                      onClick={e => {
                        e.stopPropagation();
                        closeSession(s.key);
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
            <div key={s.key} hidden={s.key !== current} className={classes.session}>
              <TerminalSession live={s} onState={onState} />
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

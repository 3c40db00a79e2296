import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { Progress, Table } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CreateSessionResponse,
  DebugOptionsResponse,
  ForkSummary,
  kubeTroubleshootDebugCreatePermission,
  PodSummary,
} from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { DownloadProgress, EntityRefParts, KubeTroubleshootApiError, kubeTroubleshootApiRef } from '../../api';
import { DeniedPanel, EntityTabGate, NoPodsEmptyState, RequestErrorPanel } from '../common/TabStates';
import { podLabel } from '../LogsTab/podLabels';
import { OwnTerminalSession } from '../TerminalTab/TerminalSession';

const useStyles = makeStyles(theme => ({
  toolbar: { padding: theme.spacing(1.5, 2), marginBottom: theme.spacing(1), display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(1.5) },
  pod: { width: 320 },
  field: { width: 220 },
  help: { flexBasis: '100%' },
  section: { marginTop: theme.spacing(2) },
}));

/** One debug session of the tab: several can be open side by side. */
interface DebugSession {
  key: number;
  label: string;
  open: () => Promise<CreateSessionResponse>;
  note?: string;
  /** The copied container's own command, quoted for a shell, to run by hand. */
  command?: string;
  /** Why it could not start: shown instead of a terminal. */
  failed?: string;
}

/** Why Start cannot run on this target, or undefined when it can. */
export function startBlockedReason(target: PodSummary['containers'][number] | undefined): string | undefined {
  if (!target) return 'Pick a target container.';
  if (target.state === 'running') return undefined;
  const what = target.reason ?? target.state;
  return `Start needs ${target.name} running; it is ${what}. A tool container joins a running container's processes: use "Debug a copy" to inspect one that does not run.`;
}

/**
 * The pod a tab opens on: the linked one, else the one in most trouble that can be debugged (one
 * that crash-loops: a copy can be debugged; then one running but not ready: a tool container can
 * join it), else the first with a running container, never first one that never ran.
 */
export function defaultPod(pods: PodSummary[], linked: string | null): PodSummary {
  const regular = (p: PodSummary) => p.containers.filter(c => c.kind === 'container');
  return (
    pods.find(p => p.name === linked) ??
    pods.find(p => regular(p).some(isCrashLooping)) ??
    pods.find(p => regular(p).some(c => c.state === 'running' && !c.ready)) ??
    pods.find(p => regular(p).some(c => c.state === 'running')) ??
    pods[0]
  );
}

/** Crash-looping: waiting in CrashLoopBackOff, or restarted after a failed run (between two crashes it runs for a moment). */
export function isCrashLooping(c: PodSummary['containers'][number]): boolean {
  return c.reason === 'CrashLoopBackOff' || (c.restartCount > 0 && (c.lastTermination?.exitCode ?? 0) !== 0);
}

/** A word as a POSIX shell reads it back. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What each kubectl-debug profile does to the tool container. */
export const PROFILE_HELP: Record<string, string> = {
  general: 'adds the SYS_PTRACE capability (strace, gdb)',
  baseline: 'no extra privileges',
  restricted: 'non-root, all capabilities dropped, no privilege escalation (the tool image must run as non-root)',
  netadmin: 'adds NET_ADMIN and NET_RAW (tcpdump, iptables)',
  sysadmin: 'privileged: full access to the node (admins only)',
};

/** Time left until an ISO date, in words. */
export function timeLeft(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(s)) return 'unknown';
  if (s <= 0) return 'expired (being removed)';
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function Copies(props: { entity: EntityRefParts; version: number }) {
  const api = useApi(kubeTroubleshootApiRef);
  const { value, error, retry } = useAsyncRetry(() => api.listForks(props.entity), [api, props.entity, props.version]);
  if (error) return <Alert severity="error">Could not list your pod copies: {error.message}</Alert>;
  return (
    <Table<ForkSummary>
      title="Your pod copies"
      options={{ paging: false, search: false, padding: 'dense' }}
      data={value?.items ?? []}
      emptyContent={<Typography style={{ padding: 16 }}>No pod copies. A copy is made by "Debug a copy" and removed when its session ends or its time is up.</Typography>}
      columns={[
        { title: 'Copy', field: 'name' },
        { title: 'Of', field: 'forkOf' },
        { title: 'Cluster', field: 'cluster' },
        { title: 'Phase', field: 'phase' },
        { title: 'Time left', render: f => timeLeft(f.expiresAt) },
        {
          title: '',
          render: f => (
            <Button size="small" variant="outlined" onClick={() => api.deleteFork(props.entity, f).then(retry)} aria-label={`Delete the copy ${f.name}`}>
              Delete
            </Button>
          ),
        },
      ]}
    />
  );
}

/** `12.3 MB` */
const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/** How far a download got, in words. */
export function progressText(p: DownloadProgress): string {
  if (!p.estimated) return `${mb(p.received)} received`;
  const percent = Math.min(99, Math.floor((p.received / p.estimated) * 100));
  return `${percent}% (${mb(p.received)} of about ${mb(p.estimated)})`;
}

/** Saves a file or folder of the picked container as a tar (through a debug container when it has no tar). */
function FileDownload(props: { entity: EntityRefParts; pod: PodSummary; container: string }) {
  const api = useApi(kubeTroubleshootApiRef);
  const classes = useStyles();
  const [filePath, setFilePath] = useState('/');
  const [state, setState] = useState<{ busy: boolean; error?: string; progress?: DownloadProgress }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      await api.downloadFile(props.entity, { cluster: props.pod.cluster, pod: props.pod.name, container: props.container, path: filePath }, progress =>
        setState({ busy: true, progress }),
      );
      setState({ busy: false });
    } catch (e) {
      // The server says why before any byte: the path is missing, past the size limit (named), or unreadable.
      setState({ busy: false, error: (e as Error).message });
    }
  };
  return (
    <Paper className={`${classes.toolbar} ${classes.section}`}>
      <TextField
        id="kube-troubleshoot-debug-file-path"
        label={`A file or folder of ${props.container}`}
        variant="outlined"
        size="small"
        style={{ width: 420 }}
        value={filePath}
        onChange={e => setFilePath(e.target.value)}
        helperText="Downloaded as a .tar, even from a container without tar or a shell"
      />
      <Button variant="outlined" onClick={download} disabled={state.busy || !props.container}>
        {state.busy ? 'Downloading…' : 'Download'}
      </Button>
      {state.busy && state.progress && (
        <Typography variant="body2" role="status">
          {progressText(state.progress)}
        </Typography>
      )}
      {state.error && (
        <Alert severity="error" role="alert">
          Could not download {filePath}: {state.error}
        </Alert>
      )}
    </Paper>
  );
}

/** The copied container's command, with a button that puts it on the clipboard. */
function CommandToCopy(props: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
      <Typography variant="body2">Its command was:</Typography>
      <code>{props.command}</code>
      <Button
        size="small"
        variant="outlined"
        aria-label="Copy the command"
        onClick={() => {
          void navigator.clipboard?.writeText(props.command).then(() => setCopied(true));
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </Box>
  );
}

function DebugWorkspace(props: { entity: Entity; pods: PodSummary[]; options: DebugOptionsResponse }) {
  const { entity, pods, options } = props;
  const classes = useStyles();
  const api = useApi(kubeTroubleshootApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const multiCluster = new Set(pods.map(p => p.cluster)).size > 1;
  // A link may name the pod and container (?pod=&container=), as on the other tabs.
  const [params] = useSearchParams();
  const linked = defaultPod(pods, params.get('pod'));
  const [podKey, setPodKey] = useState(`${linked.cluster}/${linked.name}`);
  const pod = pods.find(p => `${p.cluster}/${p.name}` === podKey) ?? pods[0];
  const containers = pod.containers.filter(c => c.kind === 'container');
  const [target, setTarget] = useState(params.get('container') ?? (containers.find(c => c.state === 'running') ?? containers[0])?.name ?? '');
  const targetState = containers.find(c => c.name === target) ?? containers[0];
  const cluster = options.clusters[pod.cluster] ?? { production: false, profiles: [] };
  const [image, setImage] = useState(options.images.find(i => i.default)?.name ?? options.images[0]?.name ?? '');
  const [profile, setProfile] = useState(cluster.profiles[0] ?? '');
  const chosenProfile = cluster.profiles.includes(profile) ? profile : cluster.profiles[0];
  // A configured image may have no description: no sentence then, not a lone full stop.
  const imageDescription = options.images.find(i => i.name === image)?.description;
  const [sessions, setSessions] = useState<DebugSession[]>([]);
  const [version, setVersion] = useState(0);
  const [denied, setDenied] = useState<string>();
  // Every crash-looping container of the entity gets a banner, whichever pod is picked.
  const crashing = pods.flatMap(p => p.containers.filter(c => c.kind === 'container' && isCrashLooping(c)).map(c => ({ pod: p, container: c }))).slice(0, 3);

  const update = (key: number, change: Partial<DebugSession>) => setSessions(list => list.map(x => (x.key === key ? { ...x, ...change } : x)));
  /** Adds a session beside the open ones; a start that fails leaves its reason, not an empty terminal. */
  const addSession = (label: string, start: (key: number) => Promise<CreateSessionResponse>) => {
    const key = Date.now() + Math.random();
    const open = async () => {
      try {
        return await start(key);
      } catch (e) {
        update(key, { failed: (e as Error).message });
        throw e;
      }
    };
    setSessions(list => [...list, { key, label, open }]);
  };
  const close = (key: number) => setSessions(list => list.filter(x => x.key !== key));

  const startDebug = () => {
    const label = `${pod.name}/${targetState.name} (debug container)`;
    // A running tool container is attached to again, unless a terminal of this tab is on it
    // already: a second Start is a second shell, in a container of its own.
    const busy = sessions.some(x => x.label === label && !x.failed);
    const request = { cluster: pod.cluster, pod: pod.name, targetContainer: targetState.name, image, profile: chosenProfile, ...(busy ? { reuse: false } : {}) };
    addSession(label, async key => {
      const answer = await api.startDebug(entityRef, request);
      update(key, { note: `${answer.reused ? `Attached again to the running ${answer.container}` : `Added ${answer.container}`} (${answer.image}, profile ${answer.profile}). ${answer.note}` });
      return answer;
    });
  };
  const debugCopy = (of: { pod: PodSummary; container: string } = { pod, container: targetState.name }) => {
    addSession(`copy of ${of.pod.name}/${of.container}`, async key => {
      const answer = await api.createFork(entityRef, { cluster: of.pod.cluster, pod: of.pod.name, container: of.container, namespace: of.pod.namespace });
      setVersion(v => v + 1);
      update(key, {
        note: `A copy of ${of.pod.name}, ${answer.fork.name}, with ${of.container}'s command replaced by a sleep. Run its command by hand to see it fail. The copy is deleted when this session ends (or in ${timeLeft(answer.fork.expiresAt)}).`,
        command: answer.originalCommand.length ? answer.originalCommand.map(shellWord).join(' ') : undefined,
      });
      return answer;
    });
  };
  const onState = useCallback((state: { denied?: string }) => {
    if (state.denied) setDenied(state.denied);
  }, []);

  if (denied) return <DeniedPanel entity={entity} what="debug tools" permission={kubeTroubleshootDebugCreatePermission} detail={denied} />;

  return (
    <Box>
      {crashing.map(({ pod: p, container: c }) => (
        <Alert
          key={`${p.cluster}/${p.name}/${c.name}`}
          severity="warning"
          style={{ marginBottom: 8 }}
          action={
            <Button color="inherit" size="small" variant="outlined" onClick={() => debugCopy({ pod: p, container: c.name })}>
              Debug a copy
            </Button>
          }
        >
          {c.name} in {p.name} is crash-looping ({c.reason ?? `${c.restartCount} restarts`}). Debug a copy of the pod whose {c.name} sleeps instead, and run its command by hand.
        </Alert>
      ))}
      <Paper className={classes.toolbar}>
        <TextField select label="Pod" variant="outlined" size="small" className={classes.pod} value={`${pod.cluster}/${pod.name}`} onChange={e => setPodKey(e.target.value)}>
          {pods.map(p => (
            <MenuItem key={`${p.cluster}/${p.name}`} value={`${p.cluster}/${p.name}`}>
              {podLabel(p, multiCluster)}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label="Target container" variant="outlined" size="small" className={classes.field} value={targetState?.name ?? ''} onChange={e => setTarget(e.target.value)}>
          {containers.map(c => (
            <MenuItem key={c.name} value={c.name}>
              {c.name}
              {c.state !== 'running' ? ` (${c.reason ?? c.state})` : ''}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label="Tool image" variant="outlined" size="small" className={classes.field} value={image} onChange={e => setImage(e.target.value)}>
          {options.images.map(i => (
            <MenuItem key={i.name} value={i.name}>
              {i.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label="Profile" variant="outlined" size="small" className={classes.field} value={chosenProfile ?? ''} onChange={e => setProfile(e.target.value)}>
          {cluster.profiles.map(p => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="contained" color="primary" onClick={startDebug} disabled={Boolean(startBlockedReason(targetState))}>
          Start
        </Button>
        <Button variant="outlined" onClick={() => debugCopy()} disabled={!targetState}>
          Debug a copy
        </Button>
        <Typography variant="body2" color="textSecondary" className={classes.help}>
          {imageDescription ? `${imageDescription}. ` : ''}Profile {chosenProfile}: {PROFILE_HELP[chosenProfile ?? ''] ?? 'as configured'}. A tool container joins {targetState?.name}'s processes: <code>ps</code> shows them and{' '}
          <code>/proc/1/root</code> is its file system, even without a shell in its image. Ephemeral containers cannot be removed from a pod: they stay, stopped, until the pod is
          replaced.{cluster.production ? ' This is a production cluster: only its allowed profiles are offered.' : ''}
        </Typography>
        {startBlockedReason(targetState) && (
          <Typography variant="body2" color="error" className={classes.help} role="note">
            {startBlockedReason(targetState)}
          </Typography>
        )}
      </Paper>
      {sessions.map(session => (
        <Box key={session.key} className={classes.section} role="region" aria-label={`Debug session ${session.label}`}>
          <Box display="flex" alignItems="center" mb={1}>
            <Typography variant="subtitle2" style={{ flex: 1 }}>
              {session.label}
            </Typography>
            <Button size="small" onClick={() => close(session.key)} aria-label={`Close ${session.label}`}>
              Close
            </Button>
          </Box>
          {session.failed ? (
            <Alert severity="error">Could not start {session.label}: {session.failed}</Alert>
          ) : (
            <>
              {session.note && (
                <Alert severity="info" style={{ marginBottom: 8 }}>
                  {session.note}
                  {session.command && <CommandToCopy command={session.command} />}
                </Alert>
              )}
              <OwnTerminalSession open={session.open} target={{ entity: entityRef, cluster: pod.cluster, pod: pod.name, container: targetState?.name ?? '', title: session.label }} onState={onState} />
            </>
          )}
        </Box>
      ))}
      <FileDownload entity={entityRef} pod={pod} container={targetState?.name ?? ''} />
      <Box className={classes.section}>
        <Copies entity={entityRef} version={version} />
      </Box>
    </Box>
  );
}

function DebugContent(props: { entity: Entity }) {
  const { entity } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const ref = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const { value, loading, error } = useAsyncRetry(async () => {
    const [pods, options] = await Promise.all([api.getPods(ref), api.getDebugOptions(ref)]);
    return { pods, options };
  }, [api, ref]);
  if (loading && !value) return <Progress />;
  if (error) {
    if (error instanceof KubeTroubleshootApiError && error.statusCode === 403) {
      return <DeniedPanel entity={entity} what="debug tools" permission={kubeTroubleshootDebugCreatePermission} detail={error.message} />;
    }
    return <RequestErrorPanel title={`Could not load the debug options of ${entity.metadata.name}`} error={error} />;
  }
  if (!value) return <Progress />;
  if (!value.pods.pods.length) return <NoPodsEmptyState entity={entity} />;
  return <DebugWorkspace entity={entity} pods={value.pods.pods} options={value.options} />;
}

/**
 * The Debug tab of an entity: tool containers in its pods' containers, and copies of crash-looping
 * pods to inspect by hand.
 *
 * @public
 */
export function DebugTab() {
  const { entity } = useEntity();
  return (
    <EntityTabGate entity={entity} permission={kubeTroubleshootDebugCreatePermission} what="debug tools">
      <DebugContent entity={entity} />
    </EntityTabGate>
  );
}

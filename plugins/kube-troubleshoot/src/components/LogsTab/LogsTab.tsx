import { ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  EntityPodsResponse,
  kubeTroubleshootLogsReadPermission,
  PodSummary,
} from '@kube-troubleshoot/backstage-plugin-common';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import Paper from '@material-ui/core/Paper';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import ArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import FilterListIcon from '@material-ui/icons/FilterList';
import FullscreenIcon from '@material-ui/icons/Fullscreen';
import FullscreenExitIcon from '@material-ui/icons/FullscreenExit';
import ZoomInIcon from '@material-ui/icons/ZoomIn';
import ZoomOutIcon from '@material-ui/icons/ZoomOut';
import GetAppIcon from '@material-ui/icons/GetApp';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import SearchIcon from '@material-ui/icons/Search';
import Alert from '@material-ui/lab/Alert';
import { KubeTroubleshootApiError, kubeTroubleshootApiRef } from '../../api';
import {
  ClusterErrorsPanel,
  DeniedPanel,
  EntityTabGate,
  NoPodsEmptyState,
  RequestErrorPanel,
} from '../common/TabStates';
import { LogList, tagOf, TagMode } from './LogList';
import { findLineRef, isSelected, LineSelection, lineRef, selectedText } from './lineSelection';
import { defaultColumns, JsonMode, jsonFields, parseColumnsParam } from './jsonColumns';
import { JsonColumnsPicker } from './JsonColumnsPicker';
import { LogEntry } from './logBuffer';
import { MAX_LOG_LINES } from './logBuffer';
import { containerLabel, podColorFor, podLabel } from './podLabels';
import { createMatcher, Matcher, searchLines } from './search';
import { parseSeverityParam, passesSeverity, severityCounts, severityParam, severityRows, SeverityKey } from './severity';
import { SeverityFilter } from './SeverityFilter';
import { useLogStream } from './useLogStream';
import { useUrlFlag, useUrlState } from './useUrlState';

const TAIL_PRESETS = [
  { label: 'Last 100 lines', value: '100' },
  { label: 'Last 1,000 lines', value: '1000' },
  { label: 'Last 10,000 lines', value: '10000' },
  { label: 'All lines', value: 'all' },
];

const SINCE_PRESETS = [
  { label: 'Last 5 minutes', value: '300' },
  { label: 'Last hour', value: '3600' },
  { label: 'Last 24 hours', value: '86400' },
  { label: 'Any time', value: 'all' },
  { label: 'Custom range…', value: 'custom' },
];

/** `2026-12-02T06:21` (a datetime-local input, the browser's time) ↔ ISO instants in the link. */
const toInputValue = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromInputValue = (v: string) => (v && !Number.isNaN(new Date(v).getTime()) ? new Date(v).toISOString() : '');

const ALL = '';

const FONT_SIZES = [10, 11, 12, 14, 16, 18];

/** Whether an element is the document's fullscreen one, and a toggle for it (Esc also leaves). */
function useFullscreen(ref: React.RefObject<HTMLElement>) {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const changed = () => setOn(Boolean(document.fullscreenElement && document.fullscreenElement === ref.current));
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }, [ref]);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void ref.current?.requestFullscreen?.();
  };
  return { on, toggle, supported: typeof document !== 'undefined' && Boolean(document.fullscreenEnabled) };
}

const useStyles = makeStyles(theme => ({
  toolbar: {
    padding: theme.spacing(1.5, 2),
    marginBottom: theme.spacing(1),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  // Wide enough for `name · state · N restarts` of demo-length names at 1440 px.
  picker: { width: 450 },
  container: { width: 270 },
  preset: { width: 175 },
  search: { flex: '1 1 360px', maxWidth: 620 },
  switchLabel: {
    marginRight: theme.spacing(0.5),
    '& .MuiFormControlLabel-label': { fontSize: 14 },
  },
  grow: { flex: 1 },
  // Full screen: the viewer alone on the page's background, the log down to the bottom.
  fullscreen: {
    background: theme.palette.background.default,
    padding: theme.spacing(2),
    overflow: 'auto',
  },
  status: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    minHeight: 28,
    marginBottom: theme.spacing(0.5),
  },
  toggle: {
    fontFamily: 'monospace',
    fontSize: 13,
    minWidth: 32,
    padding: theme.spacing(0.25, 0.75),
    borderRadius: 4,
  },
  toggleOn: {
    background: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
    '&:hover': { background: theme.palette.primary.dark },
  },
}));

function emptyText(s: {
  connecting: boolean;
  filtered: boolean;
  levelFiltered: boolean;
  previous: boolean;
  following: boolean;
}): string {
  if (s.connecting) return 'Connecting…';
  if (s.filtered) return 'No line matches the search.';
  if (s.levelFiltered) return 'No line of the chosen severity.';
  if (s.previous) return 'The previous run of this container wrote nothing.';
  if (s.following)
    return 'No lines yet; new ones appear here as they are written.';
  return 'No lines in this range.';
}

function SearchToggle(props: {
  label: string;
  text: ReactNode;
  on: boolean;
  onChange(on: boolean): void;
}) {
  const classes = useStyles();
  return (
    <Tooltip title={props.label}>
      <IconButton
        size="small"
        aria-label={props.label}
        aria-pressed={props.on}
        className={`${classes.toggle} ${props.on ? classes.toggleOn : ''}`}
        onClick={() => props.onChange(!props.on)}
      >
        {props.text}
      </IconButton>
    </Tooltip>
  );
}

/** A date and time in the browser's zone, kept as an ISO instant (empty: none). */
function InstantField(props: { label: string; value: string; onChange(iso: string): void; helperText?: string }) {
  return (
    <TextField
      type="datetime-local"
      label={props.label}
      size="small"
      variant="outlined"
      InputLabelProps={{ shrink: true }}
      value={props.value ? toInputValue(props.value) : ''}
      onChange={e => props.onChange(fromInputValue(e.target.value))}
      inputProps={{ 'aria-label': props.label }}
      helperText={props.helperText}
    />
  );
}

/** The pod/container choice lives in the URL (?pod=&container=&cluster=), so it can be linked. */
function useSelection(pods: PodSummary[]) {
  const [params, setParams] = useSearchParams();
  const multiCluster = new Set(pods.map(p => p.cluster)).size > 1;
  const wantedPod = params.get('pod') ?? ALL;
  const wantedCluster = params.get('cluster') ?? undefined;
  const wantedContainer = params.get('container') ?? ALL;
  const pod = wantedPod
    ? pods.find(
        p =>
          p.name === wantedPod &&
          (!wantedCluster || p.cluster === wantedCluster),
      )
    : undefined;
  const containerNames = pod
    ? pod.containers.map(c => c.name)
    : [
        ...new Set(
          pods.flatMap(p =>
            p.containers.filter(c => c.kind === 'container').map(c => c.name),
          ),
        ),
      ];
  const container =
    wantedContainer && containerNames.includes(wantedContainer)
      ? wantedContainer
      : ALL;
  const problems: string[] = [];
  if (wantedPod && !pod)
    problems.push(
      `pod ${wantedPod} (from the link) is not one of this entity's pods now; showing all pods`,
    );
  if (wantedContainer && !container) {
    problems.push(
      `container ${wantedContainer} (from the link) is not in ${
        pod ? pod.name : 'these pods'
      }; showing all containers`,
    );
  }

  const update = (next: { pod?: PodSummary; container?: string }) => {
    setParams(
      prev => {
        const p = new URLSearchParams(prev);
        if (next.pod) p.set('pod', next.pod.name);
        else p.delete('pod');
        if (next.pod && multiCluster) p.set('cluster', next.pod.cluster);
        else p.delete('cluster');
        if (next.container) p.set('container', next.container);
        else p.delete('container');
        return p;
      },
      { replace: true },
    );
  };
  const severity = parseSeverityParam(params.get('severity'));
  const setSeverity = (next: Set<SeverityKey>) =>
    setParams(
      prev => {
        const p = new URLSearchParams(prev);
        if (next.size) p.set('severity', severityParam(next));
        else p.delete('severity');
        return p;
      },
      { replace: true },
    );
  return { pod, container, containerNames, problems, multiCluster, update, severity, setSeverity };
}

function LogsViewer(props: {
  entity: Entity;
  pods: PodSummary[];
  clusterErrors: EntityPodsResponse['clusterErrors'];
}) {
  const { entity, pods, clusterErrors } = props;
  const classes = useStyles();
  const api = useApi(kubeTroubleshootApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const selection = useSelection(pods);
  const { pod, container } = selection;

  // Everything that shapes the view is in the link, so a copied URL shows the same.
  const [follow, setFollow] = useUrlFlag('follow', true);
  const [previous, setPrevious] = useUrlFlag('previous', false);
  const [timestamps, setTimestamps] = useUrlFlag('timestamps', false);
  const [wrap, setWrap] = useUrlFlag('wrap', false);
  const [tailParam, setTail] = useUrlState('tail', '1000');
  const [sinceParam, setSince] = useUrlState('since', 'all');
  const [fromParam, setFrom] = useUrlState('from', '');
  const [toParam, setTo] = useUrlState('to', '');
  const [searchText, setSearchText] = useUrlState('q', '');
  const [searchInput, setSearchInput] = useState(searchText);
  const [regex, setRegex] = useUrlFlag('regex', false);
  const [caseSensitive, setCaseSensitive] = useUrlFlag('case', false);
  const [onlyMatching, setOnlyMatching] = useUrlFlag('only', false);
  const [timeZone, setTimeZone] = useUrlState('tz', 'utc');
  const [fontParam, setFont] = useUrlState('font', '12');
  const fontSize = FONT_SIZES.includes(Number(fontParam)) ? Number(fontParam) : 12;
  const viewerRef = useRef<HTMLDivElement>(null);
  // A picked line is in the link (?line=pod/container@timestamp); shift-click picks a range to copy.
  const [lineParam, setLineParam] = useUrlState('line', '');
  const [jsonParam, setJsonMode] = useUrlState('json', 'raw');
  const jsonMode: JsonMode = jsonParam === 'pretty' || jsonParam === 'columns' ? jsonParam : 'raw';
  const [colsParam, setColsParam] = useUrlState('cols', '');
  const [picked, setPicked] = useState<LineSelection>();
  const [copied, setCopied] = useState<string>();
  const linkedLine = useRef<{ ref: string; done: boolean }>({ ref: lineParam, done: !lineParam });
  const fullscreen = useFullscreen(viewerRef);
  // A linked value that is not a preset falls back to the default.
  const tail = TAIL_PRESETS.some(o => o.value === tailParam) ? tailParam : '1000';
  const since = SINCE_PRESETS.some(o => o.value === sinceParam) ? sinceParam : 'all';
  // Index of the current search hit among the matching lines; -1 until the user steps to one.
  const [hit, setHit] = useState(-1);
  const [scrollRequest, setScrollRequest] = useState(0);
  const [download, setDownload] = useState<{ busy: boolean; error?: Error }>({
    busy: false,
  });

  const chosen = pod?.containers.find(c => c.name === container);
  // The previous run exists only for a container that restarted (or whose last run ended).
  const hasPrevious = Boolean(chosen && (chosen.restartCount > 0 || chosen.lastTermination));
  const previousAllowed = Boolean(pod && container) && hasPrevious;
  const usePrevious = previous && previousAllowed;
  const custom = since === 'custom';
  const rangeFrom = custom && fromParam && !Number.isNaN(Date.parse(fromParam)) ? fromParam : undefined;
  const rangeTo = custom && toParam && !Number.isNaN(Date.parse(toParam)) ? toParam : undefined;
  // A range with an end has nothing to follow.
  const following = follow && !usePrevious && !rangeTo;

  const query = {
    cluster: pod?.cluster,
    pod: pod?.name,
    container: container || undefined,
    follow: following,
    previous: usePrevious,
    tailLines: tail === 'all' ? undefined : Number(tail),
    sinceSeconds: since === 'all' || custom ? undefined : Number(since),
    sinceTime: rangeFrom,
    untilTime: rangeTo,
  };
  const [generation, setGeneration] = useState(0);
  const stream = useLogStream(entityRef, query, { generation });
  const lines = stream.buffer.lines;

  useEffect(() => {
    const t = setTimeout(() => setSearchText(searchInput), 150);
    return () => clearTimeout(t);
  }, [searchInput, setSearchText]);

  const matcherOrError = useMemo(
    () => createMatcher({ text: searchText, regex, caseSensitive }),
    [searchText, regex, caseSensitive],
  );
  const matcher: Matcher | undefined =
    matcherOrError && 'pattern' in matcherOrError ? matcherOrError : undefined;
  const searchError =
    matcherOrError && 'error' in matcherOrError
      ? matcherOrError.error
      : undefined;
  const severityKey = severityParam(selection.severity);
  const counts = useMemo(
    () => severityCounts(lines),
    // stream.version: the buffer changed in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lines, stream.version],
  );
  const levelRows = useMemo(
    () => (selection.severity.size ? severityRows(lines, selection.severity) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lines, stream.version, severityKey],
  );
  const result = useMemo(() => {
    if (!matcher) return undefined;
    const all = searchLines(lines, matcher);
    // Under a severity filter, search and its hits stay among the lines shown.
    if (!selection.severity.size) return all;
    const hits = all.lines.filter(i => passesSeverity(lines[i], selection.severity));
    return { total: all.total, lines: hits };
    // stream.version: the buffer changed in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [matcher, lines, stream.version, severityKey]);
  useEffect(() => setHit(-1), [matcher]);
  const hitCount = result?.lines.length ?? 0;
  const hitIndex = hit < 0 ? -1 : Math.min(hit, hitCount - 1);
  const currentLine =
    result && hitIndex >= 0 ? result.lines[hitIndex] : undefined;
  const goToHit = (delta: number) => {
    if (!hitCount) return;
    // From no hit, "next" starts at the oldest match and "previous" at the newest.
    let from = hitIndex;
    if (from < 0) from = delta > 0 ? -1 : hitCount;
    setHit((from + delta + hitCount) % hitCount);
    setScrollRequest(r => r + 1);
  };

  // The linked line, once it has arrived: picked and scrolled to (once per link).
  const [linkedIndex, setLinkedIndex] = useState<number>();
  useEffect(() => {
    const link = linkedLine.current;
    if (link.done) return;
    const i = findLineRef(lines, link.ref);
    if (i < 0) return;
    link.done = true;
    setPicked({ anchor: lines[i].id, head: lines[i].id });
    setLinkedIndex(i);
    setScrollRequest(r => r + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines, stream.version]);
  const onLineClick = (entry: LogEntry, extend: boolean) => {
    setCopied(undefined);
    setLinkedIndex(undefined);
    if (extend && picked) {
      setPicked({ anchor: picked.anchor, head: entry.id });
      return;
    }
    if (picked && picked.anchor === entry.id && picked.head === entry.id) {
      setPicked(undefined);
      setLineParam('');
      return;
    }
    setPicked({ anchor: entry.id, head: entry.id });
    if (entry.kind === 'line') setLineParam(lineRef(entry));
  };

  const fields = useMemo(
    () => jsonFields(lines),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lines, stream.version],
  );
  const chosenColumns = parseColumnsParam(colsParam);
  const columns = chosenColumns.length ? chosenColumns : defaultColumns(fields);

  let tagMode: TagMode = 'none';
  if (!pod) tagMode = 'pod';
  else if (!container) tagMode = 'container';
  const podColor = useMemo(() => podColorFor(pods), [pods]);
  // Counted once per change, not on every render of a 200,000-line buffer.
  const pickedCount = useMemo(
    () => (picked ? lines.reduce((n, l) => n + (isSelected(picked, l.id) ? 1 : 0), 0) : 0),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [picked, lines, stream.version],
  );
  const onCopy = async () => {
    if (!picked) return;
    const { text, count } = selectedText(lines, picked, { timestamps, timeZone: timeZone === 'local' ? 'local' : 'utc', tag: e => tagOf(e, tagMode) });
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`Copied ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'}`);
    } catch (e) {
      setCopied(`Could not copy: ${(e as Error).message}`);
    }
  };

  const onDownload = async () => {
    setDownload({ busy: true });
    try {
      await api.downloadLogs(entityRef, {
        cluster: pod?.cluster,
        pod: pod?.name,
        container: container || undefined,
        previous: usePrevious,
        timestamps,
      });
      setDownload({ busy: false });
    } catch (e) {
      setDownload({ busy: false, error: e as Error });
    }
  };

  if (
    stream.error instanceof KubeTroubleshootApiError &&
    stream.error.statusCode === 403
  ) {
    return (
      <DeniedPanel
        entity={entity}
        what="logs"
        permission={kubeTroubleshootLogsReadPermission}
        detail={stream.error.message}
      />
    );
  }

  const shown = lines.length;
  const liveText = stream.paused ? 'Paused' : 'Following live';
  const statusText = {
    connecting: 'Connecting…',
    streaming: following ? liveText : 'Loading…',
    ended: following ? 'Stream ended' : 'Complete',
    failed: 'Failed',
  }[stream.status];
  let previousHint = "Show the log of the container's previous run (after a crash or restart)";
  if (!pod || !container) previousHint = 'Pick one pod and one container: the previous run is per container';
  else if (!hasPrevious) previousHint = `${container} has not restarted: there is no previous run to show`;
  let followHint = 'Keep the stream open and show new lines as they are written';
  if (usePrevious) followHint = 'A previous container has ended: there is nothing to follow';
  else if (rangeTo) followHint = 'A range with an end has nothing to follow';

  return (
    <div ref={viewerRef} className={fullscreen.on ? classes.fullscreen : undefined}>
      <ClusterErrorsPanel clusterErrors={clusterErrors} />
      {selection.problems.map(p => (
        <Alert key={p} severity="info" style={{ marginBottom: 8 }}>
          {p.charAt(0).toUpperCase() + p.slice(1)}.
        </Alert>
      ))}
      <Paper className={classes.toolbar} variant="outlined">
        <div className={classes.row}>
          <TextField
            select
            label="Pod"
            size="small"
            variant="outlined"
            className={classes.picker}
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            value={pod ? `${pod.cluster}/${pod.name}` : ALL}
            onChange={e => {
              const next = pods.find(
                p => `${p.cluster}/${p.name}` === e.target.value,
              );
              const keep =
                next &&
                container &&
                next.containers.some(c => c.name === container)
                  ? container
                  : undefined;
              selection.update({
                pod: next,
                container: next ? keep : container || undefined,
              });
            }}
            inputProps={{ 'aria-label': 'Pod' }}
          >
            <option value={ALL}>All pods ({pods.length})</option>
            {pods.map(p => (
              <option
                key={`${p.cluster}/${p.name}`}
                value={`${p.cluster}/${p.name}`}
              >
                {podLabel(p, selection.multiCluster)}
              </option>
            ))}
          </TextField>
          <TextField
            select
            label="Container"
            size="small"
            variant="outlined"
            className={classes.container}
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            value={container}
            onChange={e =>
              selection.update({ pod, container: e.target.value || undefined })
            }
            inputProps={{ 'aria-label': 'Container' }}
          >
            <option value={ALL}>All containers</option>
            {pod
              ? pod.containers.map(c => (
                  <option key={c.name} value={c.name}>
                    {containerLabel(c)}
                  </option>
                ))
              : selection.containerNames.map(name => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
          </TextField>
          <TextField
            select
            label="Tail"
            size="small"
            variant="outlined"
            className={classes.preset}
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            value={tail}
            onChange={e => setTail(e.target.value)}
            inputProps={{ 'aria-label': 'Tail' }}
          >
            {TAIL_PRESETS.map(o => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </TextField>
          <TextField
            select
            label="Since"
            size="small"
            variant="outlined"
            className={classes.preset}
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            value={since}
            onChange={e => setSince(e.target.value)}
            inputProps={{ 'aria-label': 'Since' }}
          >
            {SINCE_PRESETS.map(o => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </TextField>
          {custom && (
            <>
              <InstantField label="From" value={fromParam} onChange={setFrom} />
              <InstantField label="To" value={toParam} onChange={setTo} helperText={rangeTo ? 'a range with an end is not followed' : undefined} />
            </>
          )}
          <span className={classes.grow} />
          <Tooltip
            title={`The whole log from the server${
              timestamps ? ', with timestamps' : ''
            } — not only the lines shown here (the browser keeps the last ${MAX_LOG_LINES.toLocaleString(
              'en-US',
            )})`}
          >
            <span>
              <Button
                variant="outlined"
                color="primary"
                startIcon={
                  download.busy ? (
                    <CircularProgress size={16} />
                  ) : (
                    <GetAppIcon />
                  )
                }
                onClick={onDownload}
                disabled={download.busy}
              >
                Download full log
              </Button>
            </span>
          </Tooltip>
        </div>
        <div className={classes.row}>
          <Tooltip title={followHint}>
            <FormControlLabel
              className={classes.switchLabel}
              control={
                <Switch
                  size="small"
                  color="primary"
                  checked={following}
                  disabled={usePrevious || Boolean(rangeTo)}
                  onChange={e => setFollow(e.target.checked)}
                />
              }
              label="Follow"
            />
          </Tooltip>
          {following && (
            <Button
              size="small"
              variant={stream.paused ? 'contained' : 'outlined'}
              color="primary"
              startIcon={stream.paused ? <PlayArrowIcon /> : <PauseIcon />}
              onClick={() => stream.setPaused(!stream.paused)}
            >
              {stream.paused ? 'Resume' : 'Pause'}
            </Button>
          )}
          <Tooltip title={previousHint}>
            <FormControlLabel
              className={classes.switchLabel}
              control={
                <Switch
                  size="small"
                  checked={usePrevious}
                  disabled={!previousAllowed}
                  onChange={e => setPrevious(e.target.checked)}
                />
              }
              label="Previous container"
            />
          </Tooltip>
          {pod && container && !hasPrevious && (
            <Typography variant="caption" color="textSecondary">
              no previous run: {container} has not restarted
            </Typography>
          )}
          <FormControlLabel
            className={classes.switchLabel}
            control={
              <Switch
                size="small"
                checked={timestamps}
                onChange={e => setTimestamps(e.target.checked)}
              />
            }
            label="Timestamps"
          />
          <FormControlLabel
            className={classes.switchLabel}
            control={
              <Switch
                size="small"
                checked={wrap}
                onChange={e => setWrap(e.target.checked)}
              />
            }
            label="Wrap"
          />
          {timestamps && (
            <TextField
              select
              size="small"
              variant="outlined"
              SelectProps={{ native: true }}
              value={timeZone === 'local' ? 'local' : 'utc'}
              onChange={e => setTimeZone(e.target.value)}
              inputProps={{ 'aria-label': 'Time zone' }}
            >
              <option value="utc">UTC</option>
              <option value="local">Local time</option>
            </TextField>
          )}
          <Tooltip title="Smaller text">
            <span>
              <IconButton size="small" aria-label="Smaller text" disabled={fontSize === FONT_SIZES[0]} onClick={() => setFont(String(FONT_SIZES[FONT_SIZES.indexOf(fontSize) - 1]))}>
                <ZoomOutIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          <Tooltip title="Larger text">
            <span>
              <IconButton size="small" aria-label="Larger text" disabled={fontSize === FONT_SIZES[FONT_SIZES.length - 1]} onClick={() => setFont(String(FONT_SIZES[FONT_SIZES.indexOf(fontSize) + 1]))}>
                <ZoomInIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          {fullscreen.supported && (
            <Tooltip title={fullscreen.on ? 'Leave full screen (Esc)' : 'Full screen'}>
              <IconButton size="small" aria-label={fullscreen.on ? 'Leave full screen' : 'Full screen'} onClick={fullscreen.toggle}>
                {fullscreen.on ? <FullscreenExitIcon fontSize="small" /> : <FullscreenIcon fontSize="small" />}
              </IconButton>
            </Tooltip>
          )}
          <TextField
            size="small"
            variant="outlined"
            placeholder={regex ? 'Search (regular expression)' : 'Search'}
            className={classes.search}
            value={searchInput}
            onChange={e => setSearchInput(e.target.value)}
            onKeyDown={e => {
              if (e.key === 'Enter') goToHit(e.shiftKey ? -1 : 1);
            }}
            error={Boolean(searchError)}
            inputProps={{ 'aria-label': 'Search the log' }}
            InputProps={{
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
              endAdornment: (
                <InputAdornment position="end">
                  {result && (
                    <Typography
                      variant="caption"
                      style={{ whiteSpace: 'nowrap', marginRight: 4 }}
                      aria-live="polite"
                    >
                      {result.total.toLocaleString('en-US')}{' '}
                      {result.total === 1 ? 'match' : 'matches'}
                      {hitCount > 0 && hitIndex >= 0
                        ? ` · line ${hitIndex + 1} of ${hitCount}`
                        : ` in ${hitCount.toLocaleString('en-US')} ${
                            hitCount === 1 ? 'line' : 'lines'
                          }`}
                    </Typography>
                  )}
                  <IconButton
                    size="small"
                    aria-label="Previous match"
                    disabled={!hitCount}
                    onClick={() => goToHit(-1)}
                  >
                    <ArrowUpIcon fontSize="small" />
                  </IconButton>
                  <IconButton
                    size="small"
                    aria-label="Next match"
                    disabled={!hitCount}
                    onClick={() => goToHit(1)}
                  >
                    <ArrowDownIcon fontSize="small" />
                  </IconButton>
                  <SearchToggle
                    label="Match case"
                    text="Aa"
                    on={caseSensitive}
                    onChange={setCaseSensitive}
                  />
                  <SearchToggle
                    label="Regular expression"
                    text=".*"
                    on={regex}
                    onChange={setRegex}
                  />
                  <SearchToggle
                    label="Only matching lines"
                    text={<FilterListIcon fontSize="small" />}
                    on={onlyMatching}
                    onChange={setOnlyMatching}
                  />
                </InputAdornment>
              ),
            }}
          />
        </div>
        <div className={classes.row}>
          <SeverityFilter counts={counts} chosen={selection.severity} onChange={selection.setSeverity} />
          <span className={classes.grow} />
          {(fields.length > 0 || jsonMode !== 'raw') && (
            <TextField
              select
              label="JSON lines"
              size="small"
              variant="outlined"
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              value={jsonMode}
              onChange={e => setJsonMode(e.target.value)}
              inputProps={{ 'aria-label': 'JSON lines' }}
            >
              <option value="raw">As written</option>
              <option value="pretty">Indented</option>
              <option value="columns">Columns</option>
            </TextField>
          )}
        </div>
        {jsonMode === 'columns' && (
          <div className={classes.row}>
            <JsonColumnsPicker fields={fields} columns={columns} onChange={next => setColsParam(next.join(','))} />
          </div>
        )}
      </Paper>
      {searchError && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {searchError}
        </Alert>
      )}
      {download.error && (
        <Alert
          severity="error"
          style={{ marginBottom: 8 }}
          onClose={() => setDownload({ busy: false })}
        >
          Download failed: {download.error.message}
        </Alert>
      )}
      {stream.error && (
        <Alert severity="error" style={{ marginBottom: 8 }}>
          Could not read the log: {stream.error.message}
        </Alert>
      )}
      {stream.streamErrors.length > 0 && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {stream.streamErrors.map(e => (
            <div key={e.id}>
              {e.pod ? `${e.pod}${e.container ? `/${e.container}` : ''}: ` : ''}
              {e.text}
            </div>
          ))}
        </Alert>
      )}
      <div className={classes.status}>
        {stream.status === 'connecting' && <CircularProgress size={14} />}
        <Typography variant="body2" color="textSecondary">
          {statusText} · {shown.toLocaleString('en-US')}{' '}
          {shown === 1 ? 'line' : 'lines'}
          {stream.buffer.dropped > 0 &&
            ` (the newest ${MAX_LOG_LINES.toLocaleString(
              'en-US',
            )} are kept here; ${stream.buffer.dropped.toLocaleString(
              'en-US',
            )} older ones dropped — download for the full log)`}
        </Typography>
        {following &&
          stream.status !== 'streaming' &&
          stream.status !== 'connecting' && (
            <Button
              size="small"
              color="primary"
              onClick={() => setGeneration(g => g + 1)}
            >
              Restart stream
            </Button>
          )}
        {picked && (
          <>
            <Button size="small" color="primary" variant="outlined" onClick={onCopy}>
              Copy {pickedCount.toLocaleString('en-US')} selected
            </Button>
            <Button size="small" onClick={() => { setPicked(undefined); setLineParam(''); setCopied(undefined); }}>
              Clear selection
            </Button>
            {copied && (
              <Typography variant="body2" color="textSecondary" role="status">
                {copied}
              </Typography>
            )}
          </>
        )}
        {stream.paused && (
          <Button
            size="small"
            color="primary"
            onClick={() => stream.setPaused(false)}
          >
            {stream.held.toLocaleString('en-US')} new{' '}
            {stream.held === 1 ? 'line' : 'lines'} — resume
          </Button>
        )}
      </div>
      <LogList
        lines={lines}
        version={stream.version}
        rows={onlyMatching && result ? result.lines : levelRows}
        height="fill"
        wrap={wrap}
        timestamps={timestamps}
        timeZone={timeZone === 'local' ? 'local' : 'utc'}
        fontSize={fontSize}
        json={jsonMode === 'raw' ? undefined : { mode: jsonMode, columns }}
        tagMode={tagMode}
        tagColor={podColor}
        matcher={matcher}
        currentLine={currentLine ?? linkedIndex}
        selection={picked}
        onLineClick={onLineClick}
        scrollRequest={scrollRequest}
        lastDropped={stream.lastDropped}
        emptyText={emptyText({
          connecting: stream.status === 'connecting',
          filtered: Boolean(onlyMatching && result),
          levelFiltered: Boolean(levelRows),
          previous: usePrevious,
          following,
        })}
      />
    </div>
  );
}

function LogsContent(props: { entity: Entity }) {
  const { entity } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const ref = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const { loading, value, error } = useAsyncRetry(
    () => api.getPods(ref),
    [api, ref],
  );
  if (loading && !value) return <Progress />;
  if (error) {
    if (error instanceof KubeTroubleshootApiError && error.statusCode === 403) {
      return (
        <DeniedPanel
          entity={entity}
          what="logs"
          permission={kubeTroubleshootLogsReadPermission}
          detail={error.message}
        />
      );
    }
    return (
      <RequestErrorPanel
        title={`Could not list the pods of ${entity.metadata.name}`}
        error={error}
      />
    );
  }
  if (!value) return <Progress />;
  if (!value.pods.length) {
    if (value.clusterErrors.length) {
      return (
        <RequestErrorPanel
          title={`Could not list the pods of ${entity.metadata.name}`}
          error={
            new Error('No cluster answered; see the errors per cluster below')
          }
          clusterErrors={value.clusterErrors}
        />
      );
    }
    return <NoPodsEmptyState entity={entity} />;
  }
  return (
    <LogsViewer
      entity={entity}
      pods={value.pods}
      clusterErrors={value.clusterErrors}
    />
  );
}

/**
 * The Logs tab of an entity: its pods' logs, live, with search and download.
 *
 * @public
 */
export function LogsTab() {
  const { entity } = useEntity();
  return (
    <EntityTabGate
      entity={entity}
      permission={kubeTroubleshootLogsReadPermission}
      what="logs"
    >
      <LogsContent entity={entity} />
    </EntityTabGate>
  );
}

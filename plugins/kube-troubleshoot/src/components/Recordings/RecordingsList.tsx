import { useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { RecordingCommand, RecordingSummary } from '@kube-troubleshoot/backstage-plugin-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import CloseIcon from '@material-ui/icons/Close';
import Alert from '@material-ui/lab/Alert';
import { EntityRefParts, kubeTroubleshootApiRef, RecordingFilter } from '../../api';
import { endReasonWords, liveTerminals } from '../TerminalTab/liveTerminals';
import { RecordingPlayer } from './RecordingPlayer';
import { Cast, clock, parseCast } from './replay';

/** `user:default/alice` reads `alice`, `component:default/web` reads `web`; other namespaces stay. */
const shortRef = (ref: string) => ref.replace(/^[^:]+:(default\/)?/, '');

function duration(r: RecordingSummary): string {
  if (!r.endedAt) return 'open';
  return clock((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000);
}

/** How a session ended, in plain words: `exited (code 3)`, `closed for inactivity`. */
export function outcome(r: Pick<RecordingSummary, 'endReason' | 'exitCode' | 'endedAt'>): string {
  if (!r.endReason) return r.endedAt ? '' : 'still open';
  if (r.endReason === 'exit') return `exited (code ${r.exitCode ?? 0})`;
  const words = endReasonWords(r.endReason).toLocaleLowerCase('en-US');
  return r.exitCode !== undefined ? `${words} (code ${r.exitCode})` : words;
}

/** Saves a recording as the `.cast` file asciinema plays. */
function downloadCast(recording: RecordingSummary, cast: string) {
  const url = URL.createObjectURL(new Blob([cast], { type: 'application/x-asciicast' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${recording.pod}-${recording.container}-${recording.startedAt.replace(/[:.]/g, '-')}.cast`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Which recording to replay, and from which moment (a command's, picked in a search). */
interface Opened {
  recording: RecordingSummary;
  at?: number;
}

/** Opens one recording in a dialog with the player and its commands. */
function PlayerDialog(props: { opened?: Opened; onClose(): void }) {
  const { opened, onClose } = props;
  const recording = opened?.recording;
  const api = useApi(kubeTroubleshootApiRef);
  const { value, error } = useAsyncRetry(async (): Promise<{ cast: Cast; text: string; commands: RecordingCommand[] } | undefined> => {
    if (!recording) return undefined;
    const body = await api.getRecording(recording.id);
    return { cast: parseCast(body.cast), text: body.cast, commands: body.commands ?? [] };
  }, [api, recording?.id]);
  const title = recording ? `${recording.pod}/${recording.container} · ${recording.user} · ${new Date(recording.startedAt).toLocaleString()}` : '';
  return (
    <Dialog open={Boolean(recording)} onClose={onClose} maxWidth="lg" fullWidth>
      <DialogTitle disableTypography style={{ display: 'flex', alignItems: 'center' }}>
        <Typography variant="h6" style={{ flex: 1 }}>
          Replay: {title}
        </Typography>
        {value && recording && (
          <Button size="small" variant="outlined" color="primary" onClick={() => downloadCast(recording, value.text)} aria-label="Download the recording as a .cast file">
            Download .cast
          </Button>
        )}
        <IconButton aria-label="Close the replay" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">Could not load the recording: {error.message}</Alert>}
        {value && recording && <RecordingPlayer cast={value.cast} commands={value.commands} startAt={opened?.at} title={`${recording.pod}/${recording.container}`} />}
      </DialogContent>
    </Dialog>
  );
}

/** The commands of a session that matched a search, each a link to its moment in the replay. */
function MatchedCommands(props: { recording: RecordingSummary; onJump(at: number): void }) {
  const { recording, onJump } = props;
  return (
    <>
      {(recording.matches ?? []).map((m, i) => (
        <div key={i}>
          <Link
            component="button"
            variant="body2"
            onClick={() => onJump(m.at)}
            style={{ fontFamily: 'Menlo, Consolas, "DejaVu Sans Mono", monospace', textAlign: 'left' }}
            aria-label={`Replay ${recording.pod}/${recording.container} from ${clock(m.at)}: ${m.command}`}
          >
            {clock(m.at)} {m.command}
          </Link>
          {m.exitCode ? <Typography variant="caption" color="error">{` exit ${m.exitCode}`}</Typography> : null}
        </div>
      ))}
    </>
  );
}

/**
 * Lists again when a terminal of this browser tab ends (its recording is complete a moment later),
 * and every few seconds while a listed session is still open.
 */
function useRefreshOnSessionEnd(refresh: () => void, someOpen: boolean) {
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    let ended = new Set(liveTerminals.list().filter(t => !t.alive).map(t => t.key));
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    const unsubscribe = liveTerminals.subscribe(() => {
      const now = new Set(liveTerminals.list().filter(t => !t.alive).map(t => t.key));
      if ([...now].some(k => !ended.has(k))) {
        refreshRef.current();
        // The recording is closed right after the session: look again once it is.
        timers.push(setTimeout(() => refreshRef.current(), 1500));
      }
      ended = now;
    });
    return () => {
      unsubscribe();
      timers.forEach(clearTimeout);
    };
  }, []);
  useEffect(() => {
    if (!someOpen) return undefined;
    const timer = setInterval(() => refreshRef.current(), 5000);
    return () => clearInterval(timer);
  }, [someOpen]);
}

/**
 * Terminal and debug recordings the user may replay: their own, or everyone's with
 * `kube-troubleshoot.recordings.read`; one entity's when given.
 */
export function RecordingsList(props: { entity?: EntityRefParts; filter?: RecordingFilter; title?: string }) {
  const { entity, filter, title } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const [open, setOpen] = useState<Opened>();
  const { value, loading, error, retry } = useAsyncRetry(() => api.listRecordings({ ...filter, entity }), [api, entity?.kind, entity?.namespace, entity?.name, JSON.stringify(filter)]);
  useRefreshOnSessionEnd(retry, Boolean(value?.items.some(r => !r.endedAt)));

  const columns: TableColumn<RecordingSummary>[] = [
    { title: 'Started', render: r => new Date(r.startedAt).toLocaleString() },
    { title: 'User', render: r => <span title={r.user}>{shortRef(r.user)}</span> },
    ...(entity ? [] : [{ title: 'Entity', render: r => <span title={r.entityRef}>{shortRef(r.entityRef)}</span> } as TableColumn<RecordingSummary>]),
    { title: 'Pod / container', render: r => `${r.pod}/${r.container}` },
    { title: 'Cluster', render: r => `${r.cluster}${r.production ? ' (production)' : ''}` },
    { title: 'Duration', render: duration },
    { title: 'Ended', render: r => outcome(r) },
    { title: 'Watched by', render: r => (r.watchers ?? []).map(w => w.replace(/^user:(default\/)?/, '')).join(', ') },
    ...(filter?.command
      ? [
          {
            title: 'Matching commands',
            cellStyle: { minWidth: 280 },
            render: r => <MatchedCommands recording={r} onJump={at => setOpen({ recording: r, at })} />,
          } as TableColumn<RecordingSummary>,
        ]
      : []),
    {
      title: '',
      render: r => (
        <Button size="small" color="primary" variant="outlined" onClick={() => setOpen({ recording: r })} aria-label={`Replay the session of ${r.user} on ${r.pod}/${r.container} at ${r.startedAt}`}>
          Replay
        </Button>
      ),
    },
  ];

  if (error) return <Alert severity="error">Could not list recordings: {error.message}</Alert>;
  const scope = value?.scope === 'all' ? "everyone's sessions" : 'your sessions';
  return (
    <>
      <Table<RecordingSummary>
        title={`${title ?? 'Recordings'} (${scope})`}
        isLoading={loading}
        options={{ paging: true, pageSize: 20, pageSizeOptions: [10, 20, 50, 100], search: false, padding: 'dense', emptyRowsWhenPaging: false }}
        columns={columns}
        data={value?.items ?? []}
        actions={[{ icon: () => <Typography variant="button">Refresh</Typography>, isFreeAction: true, onClick: () => retry(), tooltip: 'Refresh' }]}
        emptyContent={<Typography style={{ padding: 16 }}>No recorded sessions yet.</Typography>}
      />
      <PlayerDialog opened={open} onClose={() => setOpen(undefined)} />
    </>
  );
}

import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { RecordingSummary } from '@kube-troubleshoot/backstage-plugin-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import CloseIcon from '@material-ui/icons/Close';
import Alert from '@material-ui/lab/Alert';
import { EntityRefParts, kubeTroubleshootApiRef, RecordingFilter } from '../../api';
import { RecordingPlayer } from './RecordingPlayer';
import { Cast, clock, parseCast } from './replay';

function duration(r: RecordingSummary): string {
  if (!r.endedAt) return 'open';
  return clock((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000);
}

function outcome(r: RecordingSummary): string {
  if (!r.endReason) return '';
  return r.exitCode !== undefined ? `${r.endReason} (${r.exitCode})` : r.endReason;
}

/** Opens one recording in a dialog with the player. */
function PlayerDialog(props: { recording?: RecordingSummary; onClose(): void }) {
  const { recording, onClose } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const { value, error } = useAsyncRetry(async (): Promise<Cast | undefined> => {
    if (!recording) return undefined;
    return parseCast((await api.getRecording(recording.id)).cast);
  }, [api, recording?.id]);
  const title = recording ? `${recording.pod}/${recording.container} · ${recording.user} · ${new Date(recording.startedAt).toLocaleString()}` : '';
  return (
    <Dialog open={Boolean(recording)} onClose={onClose} maxWidth="lg" fullWidth>
      <DialogTitle disableTypography style={{ display: 'flex', alignItems: 'center' }}>
        <Typography variant="h6" style={{ flex: 1 }}>
          Replay: {title}
        </Typography>
        <IconButton aria-label="Close the replay" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">Could not load the recording: {error.message}</Alert>}
        {value && recording && <RecordingPlayer cast={value} title={`${recording.pod}/${recording.container}`} />}
      </DialogContent>
    </Dialog>
  );
}

/**
 * Terminal and debug recordings the user may replay: their own, or everyone's with
 * `kube-troubleshoot.recordings.read`; one entity's when given.
 */
export function RecordingsList(props: { entity?: EntityRefParts; filter?: RecordingFilter; title?: string }) {
  const { entity, filter, title } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const [open, setOpen] = useState<RecordingSummary>();
  const { value, loading, error, retry } = useAsyncRetry(() => api.listRecordings({ ...filter, entity }), [api, entity?.kind, entity?.namespace, entity?.name, JSON.stringify(filter)]);

  const columns: TableColumn<RecordingSummary>[] = [
    { title: 'Started', render: r => new Date(r.startedAt).toLocaleString() },
    { title: 'User', field: 'user' },
    ...(entity ? [] : [{ title: 'Entity', field: 'entityRef' } as TableColumn<RecordingSummary>]),
    { title: 'Pod / container', render: r => `${r.pod}/${r.container}` },
    { title: 'Cluster', render: r => `${r.cluster}${r.production ? ' (production)' : ''}` },
    { title: 'Duration', render: duration },
    { title: 'Ended', render: outcome },
    {
      title: '',
      render: r => (
        <Button size="small" color="primary" variant="outlined" onClick={() => setOpen(r)} aria-label={`Replay the session of ${r.user} on ${r.pod}/${r.container} at ${r.startedAt}`}>
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
        title={title ?? `Recordings (${scope})`}
        isLoading={loading}
        options={{ paging: true, pageSize: 5, search: false, padding: 'dense' }}
        columns={columns}
        data={value?.items ?? []}
        actions={[{ icon: () => <Typography variant="button">Refresh</Typography>, isFreeAction: true, onClick: () => retry(), tooltip: 'Refresh' }]}
        emptyContent={<Typography style={{ padding: 16 }}>No recorded sessions yet.</Typography>}
      />
      <PlayerDialog recording={open} onClose={() => setOpen(undefined)} />
    </>
  );
}

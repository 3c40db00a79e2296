import { useEffect, useState, useSyncExternalStore } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { LiveSessionSummary } from '@kube-troubleshoot/backstage-plugin-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import VisibilityIcon from '@material-ui/icons/Visibility';
import { EntityRefParts, KubeTroubleshootApiError, kubeTroubleshootApiRef } from '../../api';
import { liveTerminals } from './liveTerminals';
import { age } from './age';

/** How often the list of shared sessions is asked again. */
const POLL_MS = 5000;

/**
 * Other users' sessions on the entity that their owners share, each with a Watch button (shown
 * to holders of kube-troubleshoot.terminal.watch; nothing for anyone else).
 */
export function LiveSessionsPanel(props: { entity: EntityRefParts; href: string; onWatch(key: string): void }) {
  const { entity, href, onWatch } = props;
  const api = useApi(kubeTroubleshootApiRef);
  const [items, setItems] = useState<LiveSessionSummary[]>([]);
  const [error, setError] = useState<string>();
  const mine = useSyncExternalStore(liveTerminals.subscribe, liveTerminals.list);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const answer = await api.listLiveSessions(entity);
        if (!stopped) {
          setItems(answer.items);
          setError(undefined);
        }
      } catch (e) {
        // No watch permission: there is simply nothing to show.
        if (e instanceof KubeTroubleshootApiError && e.statusCode === 403) {
          stopped = true;
          return;
        }
        if (!stopped) setError((e as Error).message);
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, entity]);

  const ownIds = new Set(mine.map(t => t.state.ready?.sessionId).filter(Boolean));
  const others = items.filter(s => s.shared && !ownIds.has(s.sessionId));
  if (!others.length && !error) return null;

  const watch = (s: LiveSessionSummary) => {
    const watching = mine.find(t => t.alive && t.role !== 'owner' && t.state.ready?.sessionId === s.sessionId);
    if (watching) {
      onWatch(watching.key);
      return;
    }
    const live = liveTerminals.open(api, { entity, cluster: s.cluster, namespace: s.namespace, pod: s.pod, container: s.container, title: `${s.pod}/${s.container} · ${s.user.replace(/^user:(default\/)?/, '')}`, href }, 'watcher', () =>
      api.watchSession(entity, s.sessionId),
    );
    onWatch(live.key);
  };

  return (
    <Paper style={{ padding: 12, marginBottom: 8 }} aria-label="Shared live sessions" role="region">
      <Typography variant="subtitle2" gutterBottom>
        Shared live sessions
      </Typography>
      {error && (
        <Typography variant="body2" color="error">
          Could not list the live sessions: {error}
        </Typography>
      )}
      {others.map(s => (
        <Box key={s.sessionId} display="flex" alignItems="center" style={{ gap: 12 }} py={0.5}>
          <Typography variant="body2" style={{ flex: 1 }}>
            <b>{s.user.replace(/^user:(default\/)?/, '')}</b> on {s.pod}/{s.container} ({s.cluster}
            {s.production ? ', production' : ''}), {age(Date.parse(s.startedAt))}
          </Typography>
          <Button size="small" variant="outlined" color="primary" startIcon={<VisibilityIcon />} onClick={() => watch(s)} aria-label={`Watch the session of ${s.user} on ${s.pod}/${s.container}`}>
            Watch
          </Button>
        </Box>
      ))}
    </Paper>
  );
}

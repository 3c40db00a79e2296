import { KubeApiError } from '../clusters/KubeApiError';
import { KubeApi } from '../clusters/KubeClient';
import { ContainerStateJson, PodJson } from '../clusters/kubeTypes';
import { lineBatches } from '../clusters/lineSplitter';
import { schedulerSummary } from '../events/evidence/scheduling';
import { LineFramer, LogFormat } from './logFraming';
import { compareTime, MergeQueue, parseTimedLine, ResumeCursor, takeInTimeOrder } from './logLines';

/** One container whose log is read. */
export interface LogSource {
  client: KubeApi;
  namespace: string;
  pod: string;
  container: string;
}

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  /** Lines after this instant are left out, and each source is closed once past it (history only). */
  untilTime?: string;
}

/**
 * Where the framed stream goes, in batches (one write per upstream read, not per line); `write`
 * resolves when the consumer can take more (backpressure).
 */
export interface LogSink {
  write(text: string): Promise<void>;
}

/** A line framed for the response as soon as it is read, kept with its timestamp to merge and resume by. */
interface FramedLine {
  timestamp: string;
  framed: string;
}

export interface StreamTuning {
  /** Pause before reopening a dropped follow. */
  retryDelayMs?: number;
  /** Consecutive failed reopen attempts before giving up on one container. */
  maxRetries?: number;
  /** How often a crashed container's status is read while waiting for its next run. */
  restartPollMs?: number;
}


/** Lines of history per socket write. */
const HISTORY_BATCH = 1000;

const logPath = (s: LogSource) =>
  `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/pods/${encodeURIComponent(s.pod)}/log`;

const where = (s: LogSource) => ({ cluster: s.client.name, pod: s.pod, container: s.container });

/** Parses and frames the lines of one read. */
function frameLines(lines: string[], frame: LineFramer): FramedLine[] {
  const out = new Array<FramedLine>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const { timestamp, text } = parseTimedLine(lines[i]);
    out[i] = { timestamp, framed: frame(timestamp, text) };
  }
  return out;
}

/** A (non-follow) log as it arrives: one batch of framed lines per upstream read. */
async function* historyBatches(source: LogSource, opts: LogOptions, frame: LineFramer, signal?: AbortSignal): AsyncGenerator<FramedLine[]> {
  const res = await source.client.stream(
    logPath(source),
    {
      container: source.container,
      timestamps: true,
      previous: opts.previous || undefined,
      tailLines: opts.tailLines,
      sinceSeconds: opts.sinceSeconds,
      sinceTime: opts.sinceTime,
    },
    signal,
  );
  for await (const lines of lineBatches(res)) yield frameLines(lines, frame);
}

/**
 * The history of every source, merged in time order as it arrives: each source is read as a
 * stream, and lines go out as soon as no source can still send an earlier one, so the first lines
 * leave before the last arrive and memory holds one chunk per source, not whole logs. With a single
 * source its failure is thrown before anything is written.
 */
async function streamHistory(sources: LogSource[], opts: LogOptions, format: LogFormat, cursors: ResumeCursor[], sink: LogSink, signal: AbortSignal): Promise<Array<KubeApiError | undefined>> {
  const tags = sources.map(where);
  const readers = sources.map((source, i) => historyBatches(source, opts, format.lineFramer(tags[i]), signal));
  const queues: Array<MergeQueue<FramedLine>> = sources.map(() => ({ items: [], next: 0, ended: false }));
  const failed: Array<KubeApiError | undefined> = sources.map(() => undefined);
  const refill = async (i: number) => {
    try {
      const r = await readers[i].next();
      if (r.done) queues[i].ended = true;
      else Object.assign(queues[i], { items: r.value, next: 0 });
    } catch (error) {
      // 204: the pod is not on a node yet, so it has no log; said as a notice, not an error.
      if (sources.length === 1 && !isNotScheduled(error)) throw error;
      failed[i] = error as KubeApiError;
      queues[i].ended = true;
    }
  };
  // A source that fails (on opening, or mid-history after its first lines) is reported once, then left out.
  const reported = new Set<number>();
  const reportFailures = async () => {
    const fresh = failed.flatMap((e, i) => (e && !reported.has(i) ? [i] : []));
    fresh.forEach(i => reported.add(i));
    if (!fresh.length) return;
    const messages = await Promise.all(
      fresh.map(async i =>
        isNotScheduled(failed[i])
          ? format.message({ type: 'notice', message: await notScheduledText(sources[i], signal), ...tags[i] })
          : format.message({ type: 'error', message: failed[i]!.message, statusCode: failed[i]!.statusCode, ...tags[i] }),
      ),
    );
    await sink.write(messages.join(''));
  };
  let empty = sources.map((_, i) => i);
  for (;;) {
    await Promise.all(empty.map(refill));
    await reportFailures();
    if (signal.aborted) return failed;
    let out = '';
    const past = new Set<number>();
    takeInTimeOrder(queues, (line, source) => {
      if (opts.untilTime && compareTime(line.timestamp, opts.untilTime) > 0) {
        past.add(source);
        return;
      }
      if (cursors[source].accept(line.timestamp)) out += line.framed;
    }, HISTORY_BATCH);
    // A source past the range's end is done: the rest of its log is later still, so its upstream is closed.
    for (const i of past) {
      if (queues[i].ended) continue;
      Object.assign(queues[i], { ended: true, items: [], next: 0 });
      void readers[i].return(undefined);
    }
    if (out) await sink.write(out);
    empty = queues.flatMap((q, i) => (!q.ended && q.next >= q.items.length ? [i] : []));
    if (!empty.length && queues.every(q => q.ended && q.next >= q.items.length)) break;
  }
  return failed;
}

function readPod(source: LogSource, signal: AbortSignal): Promise<PodJson> {
  return source.client.getJson<PodJson>(`/api/v1/namespaces/${encodeURIComponent(source.namespace)}/pods/${encodeURIComponent(source.pod)}`, {}, signal);
}

function isNotScheduled(e: unknown): boolean {
  return e instanceof KubeApiError && e.statusCode === 204;
}

/** `pod p is not scheduled to a node yet, so it has no log: <the scheduler's reason, once>`. */
async function notScheduledText(source: LogSource, signal: AbortSignal): Promise<string> {
  let why = '';
  try {
    const pod = await readPod(source, signal);
    const cond = pod.status?.conditions?.find(c => c.type === 'PodScheduled' && c.status === 'False');
    if (cond?.message) why = `: ${schedulerSummary(cond.message)}`;
  } catch {
    // the reason is a help; the notice stands without it
  }
  return `pod ${source.pod} is not scheduled to a node yet, so it has no log${why}`;
}

/** The container's state now, and whether the kubelet will start it again once it ended. */
async function containerState(source: LogSource, signal: AbortSignal) {
  const pod = await readPod(source, signal);
  const regular = (pod.status?.containerStatuses ?? []).find(s => s.name === source.container);
  const status = regular ?? [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])].find(s => s.name === source.container);
  return {
    state: status?.state,
    lastExit: status?.state?.terminated ?? status?.lastState?.terminated,
    restartCount: status?.restartCount ?? 0,
    willRestart: regular ? willRestart(pod, status?.state, status?.lastState) : false,
  };
}

/**
 * Whether a regular container that is not running will run again: its pod is not finished or being
 * deleted, and its restartPolicy restarts it (Always; OnFailure after a non-zero exit).
 */
export function willRestart(pod: PodJson, state: ContainerStateJson | undefined, lastState: ContainerStateJson | undefined): boolean {
  if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (state?.running) return false;
  const policy = (pod.spec.restartPolicy as string | undefined) ?? 'Always';
  if (policy === 'Never') return false;
  // Waiting to restart (CrashLoopBackOff) or just ended: the exit is in state or, once waiting, in lastState.
  const ended = state?.terminated ?? lastState?.terminated;
  if (policy === 'OnFailure') return ended ? ended.exitCode !== 0 : !!state?.waiting;
  return true;
}

/** `— restarted: exit 1 (Error) —` (the UI draws notices between dashes). */
function restartText(t: { exitCode: number; reason?: string } | undefined) {
  return `restarted: ${t ? `exit ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` : 'after it ended'}`;
}

/**
 * Follows one container from where the history (or the last delivered line) ended. When the
 * upstream closes while the container still runs, the connection dropped: it reopens with
 * `sinceTime` and the cursor skips what was already delivered, so nothing repeats or goes missing.
 */
async function follow(source: LogSource, format: LogFormat, cursor: ResumeCursor, startedAt: string, sink: LogSink, signal: AbortSignal, tuning: StreamTuning) {
  const tags = where(source);
  const frame = format.lineFramer(tags);
  const notice = (message: string) => sink.write(format.message({ type: 'notice', message, ...tags }));
  const retryDelay = tuning.retryDelayMs ?? 500;
  const maxRetries = tuning.maxRetries ?? 5;
  let failures = 0;
  /** The restart count of the run being followed (-1: unknown), to tell a restart from a dropped connection. */
  let runs = -1;
  try {
    runs = (await containerState(source, signal)).restartCount;
  } catch {
    // unknown: the first close is taken for a dropped connection
  }
  for (;;) {
    /** A last line without newline: the container's own last output if it ended, a cut line if not. */
    let partial: string | undefined;
    cursor.rewind();
    try {
      const res = await source.client.stream(
        logPath(source),
        { container: source.container, follow: true, timestamps: true, sinceTime: cursor.sinceTime() ?? startedAt },
        signal,
      );
      failures = 0;
      try {
        for await (const lines of lineBatches(res, line => (partial = line))) {
          let out = '';
          for (const raw of lines) {
            const { timestamp, text } = parseTimedLine(raw);
            if (cursor.accept(timestamp)) out += frame(timestamp, text);
          }
          if (out) await sink.write(out);
        }
      } catch (e) {
        if (signal.aborted) return;
        // the connection broke mid-stream: fall through to the running check and resume
      }
    } catch (e) {
      if (signal.aborted) return;
      failures += 1;
      if (failures > maxRetries || (e instanceof KubeApiError && e.statusCode && e.statusCode < 500)) {
        await sink.write(format.message({ type: 'error', message: (e as Error).message, statusCode: (e as KubeApiError).statusCode, ...tags }));
        return;
      }
    }
    if (signal.aborted) return;
    let now: Awaited<ReturnType<typeof containerState>>;
    try {
      now = await containerState(source, signal);
    } catch (e) {
      if (signal.aborted) return;
      now = { state: { running: {} }, lastExit: undefined, restartCount: -1, willRestart: false }; // cannot tell: try to resume, the retry limit bounds this
    }
    if (now.state?.running && (now.restartCount === runs || runs < 0 || now.restartCount < 0)) {
      if (now.restartCount >= 0) runs = now.restartCount;
      await notice(`the log stream of ${source.pod}/${source.container} was interrupted; resumed without losing lines`);
      await new Promise(r => setTimeout(r, retryDelay));
      continue;
    }
    if (partial !== undefined) {
      const { timestamp, text } = parseTimedLine(partial);
      if (cursor.accept(timestamp)) await sink.write(frame(timestamp, text));
    }
    // Ended (or already restarted while the stream closed): a crash loop reads on as one story.
    const next = await nextRun(source, now, runs, signal, tuning);
    if (!next) return;
    if (next === 'ended') {
      const t = now.state?.terminated;
      const why = t ? `exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` : `is ${now.state?.waiting?.reason ?? 'not running'}`;
      await notice(`container ${source.container} in pod ${source.pod} ${why}; the stream of this container ended`);
      return;
    }
    runs = next.restartCount;
    await sink.write(format.message({ type: 'notice', message: restartText(next.lastExit), restart: { restartCount: runs, ...next.lastExit }, ...tags }));
  }
}

/**
 * Waits for the container's next run: polls its status until it runs again with a higher restart
 * count. `ended` when it will not run again (policy, a finished or deleted pod); undefined when the
 * request is gone.
 */
async function nextRun(
  source: LogSource,
  ended: Awaited<ReturnType<typeof containerState>>,
  runs: number,
  signal: AbortSignal,
  tuning: StreamTuning,
): Promise<{ restartCount: number; lastExit?: { exitCode: number; reason?: string } } | 'ended' | undefined> {
  let now = ended;
  let lastExit = ended.lastExit;
  for (;;) {
    if (!now.willRestart && !now.state?.running) return 'ended';
    if (now.state?.running && now.restartCount > runs) {
      return { restartCount: now.restartCount, ...(lastExit ? { lastExit: { exitCode: lastExit.exitCode, reason: lastExit.reason } } : {}) };
    }
    await new Promise(r => setTimeout(r, tuning.restartPollMs ?? 1000));
    if (signal.aborted) return undefined;
    try {
      now = await containerState(source, signal);
      lastExit = now.lastExit ?? lastExit;
    } catch (e) {
      if (signal.aborted) return undefined;
      if (e instanceof KubeApiError && e.statusCode === 404) return 'ended'; // the pod is gone
    }
  }
}

/**
 * Streams the logs of one or more containers in `format`: first their history merged in time
 * order, then (follow) live lines as they come. With a single source its failure is thrown before
 * anything is written, so the caller can answer with the right HTTP status.
 */
export async function streamLogs(sources: LogSource[], opts: LogOptions, format: LogFormat, sink: LogSink, signal: AbortSignal, tuning: StreamTuning = {}) {
  const startedAt = `${new Date().toISOString().slice(0, 19)}Z`;
  const cursors = sources.map(() => new ResumeCursor());
  const failed = await streamHistory(sources, opts, format, cursors, sink, signal);
  if (signal.aborted) return;
  if (opts.follow && !opts.previous) {
    await Promise.all(sources.map((source, i) => (failed[i] ? undefined : follow(source, format, cursors[i], startedAt, sink, signal, tuning))));
  }
  if (!signal.aborted) await sink.write(format.message({ type: 'end' }));
}

/** The last lines of a container's previous run; empty when it has none or it cannot be read. */
export async function previousLogTail(client: KubeApi, namespace: string, pod: string, container: string, lines = 10): Promise<string[]> {
  const justText: LineFramer = (_, text) => text;
  try {
    const texts: string[] = [];
    for await (const batch of historyBatches({ client, namespace, pod, container }, { follow: false, previous: true, tailLines: lines }, justText)) {
      for (const line of batch) texts.push(line.framed);
    }
    return texts;
  } catch {
    return [];
  }
}

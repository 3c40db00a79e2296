import fs from 'node:fs';
import { ServerResponse } from 'node:http';
import { Kubelet, KubeletError } from '../kubelet/Kubelet';
import { LogEntry, parseEntries, renderEntry, selectEntries } from '../kubelet/containerLog';
import { ContainerProcess } from '../kubelet/ContainerProcess';
import { nowNs } from '../kubelet/clock';
import { allContainerNames, Pod } from '../store/pod';
import { QueryParams } from './queryParams';
import { badRequest, invalid } from './status';

export interface LogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceNs?: bigint;
  limitBytes?: number;
}

/** PodLogOptions from the query (converted as the apiserver does), with ValidatePodLogOptions' messages. */
export function parseLogOptions(podName: string, params: URLSearchParams): LogOptions {
  const q = new QueryParams(params);
  const tailLines = q.int64('tailLines');
  const sinceSeconds = q.int64('sinceSeconds');
  const limitBytes = q.int64('limitBytes');
  const sinceTime = q.time('sinceTime');
  const causes: Array<{ field: string; message: string }> = [];
  if (tailLines !== undefined && tailLines < 0) causes.push({ field: 'tailLines', message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push({ field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceTime !== undefined) causes.push({ field: '', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (causes.length) throw invalid('PodLogOptions', podName, causes);
  let sinceNs: bigint | undefined;
  if (sinceTime !== undefined) {
    // Go's zero time (an empty sinceTime) is before every line.
    sinceNs = sinceTime === 0n ? undefined : sinceTime;
  } else if (sinceSeconds !== undefined) {
    sinceNs = nowNs() - BigInt(sinceSeconds) * 1_000_000_000n;
  }
  return {
    container: q.string('container') || undefined,
    follow: q.bool('follow'),
    previous: q.bool('previous'),
    timestamps: q.bool('timestamps'),
    tailLines,
    sinceNs,
    limitBytes,
  };
}

/** The container a log request means, or the apiserver's 400 (validateContainer). */
export function resolveLogContainer(pod: Pod, requested: string | undefined): string {
  const names = allContainerNames(pod);
  if (!requested) {
    if (pod.spec.containers.length === 1) return pod.spec.containers[0].name;
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
  }
  if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
  return requested;
}

/**
 * The body of a log response without follow, chunked as the apiserver sends it: `StreamObject`
 * copies the kubelet's stream into the `http.ResponseWriter` without flushing (`Flush:
 * logOpts.Follow` in `pkg/registry/core/pod/rest/log.go`), and net/http buffers a response body in
 * `bufferBeforeChunkingSize` (2,048) bytes, so each HTTP chunk is 2,048 bytes, lines cut anywhere,
 * and a write of 2,048 bytes or more into an empty buffer goes out whole (Go's `bufio.Writer`).
 */
export class ResponseBuffer {
  static readonly SIZE = 2048;
  private readonly buf = Buffer.allocUnsafe(ResponseBuffer.SIZE);
  private used = 0;

  constructor(private readonly res: { write(chunk: Buffer): unknown }) {}

  write(text: string) {
    const bytes = Buffer.byteLength(text);
    if (bytes <= ResponseBuffer.SIZE - this.used) {
      this.used += this.buf.write(text, this.used);
      if (this.used === ResponseBuffer.SIZE) this.flush();
      return;
    }
    let data = Buffer.from(text);
    while (data.length > 0) {
      if (this.used === 0 && data.length >= ResponseBuffer.SIZE) {
        this.res.write(data);
        return;
      }
      const n = data.copy(this.buf, this.used);
      this.used += n;
      data = data.subarray(n);
      if (this.used === ResponseBuffer.SIZE) this.flush();
    }
  }

  /** What is buffered goes out as one chunk (the handler returned). */
  flush() {
    if (this.used === 0) return;
    this.res.write(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}

/** Streams one container's log like the kubelet: history first, then (follow) live lines until exit. */
export function streamPodLog(kubelet: Kubelet, pod: Pod, opts: LogOptions, res: ServerResponse) {
  const container = resolveLogContainer(pod, opts.container);
  let target;
  try {
    target = kubelet.logTarget(pod.metadata.namespace!, pod.metadata.name, container, opts.previous);
  } catch (e) {
    if (e instanceof KubeletError) throw badRequest(e.message);
    throw e;
  }
  if (!target) {
    res.writeHead(204).end();
    return;
  }
  let remaining = opts.limitBytes ?? Infinity;
  // With follow the apiserver flushes every read of the kubelet's per-line chunks; without, the body
  // goes through net/http's response buffer (see ResponseBuffer).
  const body = opts.follow ? undefined : new ResponseBuffer(res);
  /** Writes one entry; false once limitBytes is used up. */
  const send = (entry: LogEntry): boolean => {
    let text = renderEntry(entry, opts.timestamps);
    if (Buffer.byteLength(text) > remaining) text = Buffer.from(text).subarray(0, remaining).toString('utf8');
    remaining -= Buffer.byteLength(text);
    if (body) body.write(text);
    else res.write(text);
    return remaining > 0;
  };
  const live = opts.follow && !opts.previous ? target.live : undefined;
  // The file's bytes and its length are read together: the follow resumes exactly where this ends.
  const content = readFileOrEmpty(target.file);
  const history = selectEntries(parseEntries(content.toString('utf8')), opts);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  void (async () => {
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    const drained = () =>
      new Promise<void>(resolve => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    let open = true;
    for (const entry of history) {
      if (closed) return;
      if (!send(entry)) {
        open = false;
        break;
      }
      if (res.writableNeedDrain) await drained();
    }
    if (open && live) await followFile(target.file, content.length, live, {
      send,
      drained,
      needDrain: () => res.writableNeedDrain,
      isClosed: () => closed,
      sinceNs: opts.sinceNs,
    });
    body?.flush();
    res.end();
  })();
}

interface FollowIo {
  send(e: LogEntry): boolean;
  needDrain(): boolean;
  drained(): Promise<void>;
  isClosed(): boolean;
  sinceNs?: bigint;
}

/**
 * Follows a container log the way the kubelet does: from the file, at the reader's pace. While the
 * client keeps up, entries are pushed as the runtime writes them; when it falls behind, pushing
 * stops and the file is read from where it stopped once the socket drains, so a slow reader costs
 * a file offset, not memory.
 */
async function followFile(file: string, startOffset: number, live: ContainerProcess, io: FollowIo) {
  let offset = startOffset;
  const fd = fs.openSync(file, 'r');
  const wanted = (e: LogEntry) => io.sinceNs === undefined || e.ns >= io.sinceNs;
  try {
    for (;;) {
      // Catch up from the file to its end (whole lines only).
      for (;;) {
        if (io.isClosed()) return;
        const size = fs.fstatSync(fd).size;
        if (offset >= size) break;
        const buf = Buffer.alloc(Math.min(size - offset, 256 * 1024));
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        const lastNewline = buf.subarray(0, n).lastIndexOf(10);
        if (lastNewline < 0) break; // a line still being written: the live push delivers it
        offset += lastNewline + 1;
        for (const entry of parseEntries(buf.subarray(0, lastNewline).toString('utf8'))) {
          if (wanted(entry) && !io.send(entry)) return;
        }
        if (io.needDrain()) await io.drained();
      }
      if (live.exitInfo) return;
      // At the end of the file: push live entries until the client falls behind or the container exits.
      const behindAt = await pushLive(fd, live, io, wanted);
      if (behindAt === undefined) return;
      offset = behindAt;
      await io.drained();
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Pushes entries as they are written; resolves with the file offset when the client fell behind. */
function pushLive(fd: number, live: ContainerProcess, io: FollowIo, wanted: (e: LogEntry) => boolean): Promise<number | undefined> {
  return new Promise(resolve => {
    const stop = (offset?: number) => {
      live.off('entry', onEntry);
      live.off('exit', onExit);
      resolve(offset);
    };
    function onEntry(entry: LogEntry) {
      if (io.isClosed() || (wanted(entry) && !io.send(entry))) stop();
      // the runtime writes before it emits, so this entry ends the file
      else if (io.needDrain()) stop(fs.fstatSync(fd).size);
    }
    function onExit() {
      stop();
    }
    live.on('entry', onEntry);
    live.once('exit', onExit);
  });
}

function readFileOrEmpty(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
}

import { ServerResponse } from 'node:http';
import { Kubelet, KubeletError } from '../kubelet/Kubelet';
import { LogEntry, readEntries, renderEntry, selectEntries } from '../kubelet/containerLog';
import { nowNs, parseRfc3339Ns } from '../kubelet/clock';
import { allContainerNames, Pod } from '../store/pod';
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

const bool = (v: string | null) => v === 'true' || v === '1';

function int(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid value for ${name}: ${raw}`);
  return Number(raw);
}

/** PodLogOptions from the query, with ValidatePodLogOptions' messages. */
export function parseLogOptions(podName: string, params: URLSearchParams): LogOptions {
  const tailLines = int(params, 'tailLines');
  const sinceSeconds = int(params, 'sinceSeconds');
  const limitBytes = int(params, 'limitBytes');
  const sinceTime = params.get('sinceTime') || undefined;
  const causes: Array<{ field: string; message: string }> = [];
  if (tailLines !== undefined && tailLines < 0) causes.push({ field: 'tailLines', message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push({ field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceTime) causes.push({ field: '', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (causes.length) throw invalid('PodLogOptions', podName, causes);
  let sinceNs: bigint | undefined;
  if (sinceTime) {
    sinceNs = parseRfc3339Ns(sinceTime);
    if (sinceNs === undefined) throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as RFC3339`);
  } else if (sinceSeconds !== undefined) {
    sinceNs = nowNs() - BigInt(sinceSeconds) * 1_000_000_000n;
  }
  return {
    container: params.get('container') || undefined,
    follow: bool(params.get('follow')),
    previous: bool(params.get('previous')),
    timestamps: bool(params.get('timestamps')),
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
  const send = (entry: LogEntry): boolean => {
    let text = renderEntry(entry, opts.timestamps);
    if (Buffer.byteLength(text) > remaining) text = Buffer.from(text).subarray(0, remaining).toString('utf8');
    remaining -= Buffer.byteLength(text);
    res.write(text);
    return remaining > 0;
  };
  const live = opts.follow && !opts.previous ? target.live : undefined;
  // Subscribing before reading the file loses nothing: the runtime writes synchronously on this thread.
  const history = selectEntries(readEntries(target.file), opts);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  for (const entry of history) {
    if (!send(entry)) {
      res.end();
      return;
    }
  }
  if (!live || live.exitInfo) {
    res.end();
    return;
  }
  function cleanup() {
    live!.off('entry', onEntry);
    live!.off('exit', cleanup);
    res.end();
  }
  function onEntry(entry: LogEntry) {
    if (opts.sinceNs !== undefined && entry.ns < opts.sinceNs) return;
    if (!send(entry)) cleanup();
  }
  live.on('entry', onEntry);
  live.once('exit', cleanup);
  res.once('close', cleanup);
}

import { KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import { ContainerJson } from '../../clusters/kubeTypes';

/** The parts of a core/v1 Probe that say what is checked and how often. */
export interface ProbeJson {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

const KINDS = { Liveness: 'livenessProbe', Readiness: 'readinessProbe', Startup: 'startupProbe' } as const;
export type ProbeKind = keyof typeof KINDS;

/** A probe as `kubectl describe pod` prints it: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function describeProbe(p: ProbeJson): string {
  let what = 'unknown';
  if (p.httpGet) what = `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port ?? ''}${p.httpGet.path ?? '/'}`;
  else if (p.tcpSocket) what = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''}`;
  else if (p.exec) what = `exec [${(p.exec.command ?? []).join(' ')}]`;
  else if (p.grpc) what = `grpc <pod>:${p.grpc.port ?? ''} ${p.grpc.service ?? ''}`.trimEnd();
  const n = (v: number | undefined, d: number) => v ?? d;
  return `${what} delay=${n(p.initialDelaySeconds, 0)}s timeout=${n(p.timeoutSeconds, 1)}s period=${n(p.periodSeconds, 10)}s #success=${n(p.successThreshold, 1)} #failure=${n(p.failureThreshold, 3)}`;
}

export interface FailingProbe {
  container: string;
  kind: ProbeKind;
  /** The probe from the spec, described; undefined when the spec has none (a changed pod). */
  probe?: string;
  /** What the probe last answered (the Unhealthy event's text after "probe failed:"). */
  output: string;
  count: number;
  lastSeen?: string;
}

/** The most recent failing probe among a pod's Unhealthy events, with its spec. */
export function latestFailingProbe(containers: ContainerJson[], events: KubeEvent[]): FailingProbe | undefined {
  const unhealthy = events
    .filter(e => e.reason === 'Unhealthy')
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
  for (const e of unhealthy) {
    const m = /^(Liveness|Readiness|Startup) probe failed:\s*([\s\S]*)$/.exec(e.message);
    if (!m) continue;
    const kind = m[1] as ProbeKind;
    const container = /\{([^}]+)\}/.exec(e.object.fieldPath ?? '')?.[1] ?? containers[0]?.name ?? '';
    const spec = containers.find(c => c.name === container)?.[KINDS[kind]] as ProbeJson | undefined;
    return { container, kind, probe: spec ? describeProbe(spec) : undefined, output: m[2].trim(), count: e.count, lastSeen: e.lastSeen };
  }
  return undefined;
}

import {
  ContainerSummary,
  PodSummary,
} from '@kube-troubleshoot/backstage-plugin-common';

// Distinct on the dark log background, in the order pods are listed.
const POD_COLORS = [
  '#4fc3f7',
  '#aed581',
  '#ffb74d',
  '#ce93d8',
  '#f48fb1',
  '#4db6ac',
  '#fff176',
  '#90caf9',
  '#ff8a65',
  '#b0bec5',
];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** One colour per pod: by its place in the list, by name for pods that came later. */
export function podColorFor(pods: PodSummary[]): (pod: string) => string {
  const known = new Map(
    pods.map((p, i) => [p.name, POD_COLORS[i % POD_COLORS.length]]),
  );
  return pod => known.get(pod) ?? POD_COLORS[hash(pod) % POD_COLORS.length];
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** `payments-api-7c9d-x2 · Running · 2/2 ready · 0 restarts` */
export function podLabel(pod: PodSummary, withCluster: boolean): string {
  const parts = [
    withCluster ? `${pod.cluster}/${pod.name}` : pod.name,
    pod.status,
    `${pod.ready} ready`,
    plural(pod.restarts, 'restart'),
  ];
  return parts.join(' · ');
}

export function containerState(c: ContainerSummary): string {
  const state = c.reason ? `${c.state}: ${c.reason}` : c.state;
  return c.exitCode !== undefined && c.state === 'terminated'
    ? `${state} (exit ${c.exitCode})`
    : state;
}

/** `api · running · 0 restarts`, with the kind for init and ephemeral containers. */
export function containerLabel(c: ContainerSummary): string {
  const kind = c.kind === 'container' ? '' : ` (${c.kind})`;
  return [
    `${c.name}${kind}`,
    containerState(c),
    plural(c.restartCount, 'restart'),
  ].join(' · ');
}

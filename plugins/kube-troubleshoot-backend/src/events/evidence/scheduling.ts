/**
 * Why the scheduler placed a pod on no node, named once: the scheduler's text repeats itself (the
 * filter summary, then the same for preemption), and names no label or taint. With the pod's spec
 * (and the nodes, when the backend may list them) the unmatched selector or taint is named.
 */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
}

export interface SchedulingInput {
  /** The FailedScheduling message (or the PodScheduled condition's). */
  message: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
  /** Undefined when the nodes could not be read (no permission). */
  nodes?: NodeInfo[];
}

export interface SchedulingFinding {
  /** The cause in a sentence, e.g. `no node has the label accelerator=nvidia-a100 its nodeSelector asks for`. */
  cause: string;
  nextStep: string;
  /** The scheduler's own summary, once, without the preemption repeat. */
  schedulerSays: string;
}

/** `0/3 nodes are available: ... preemption: 0/3 nodes ...` → the first part only, without its final period. */
export function schedulerSummary(message: string): string {
  return message.split(/\.?\s*preemption:/)[0].trim().replace(/\.$/, '');
}

function tolerates(t: SchedulingInput['tolerations'], taint: NodeInfo['taints'][number]) {
  return (t ?? []).some(
    x =>
      (x.key === undefined || x.key === '' ? x.operator === 'Exists' : x.key === taint.key) &&
      (x.operator === 'Exists' || (x.value ?? '') === (taint.value ?? '')) &&
      (!x.effect || x.effect === taint.effect),
  );
}

export function explainScheduling(input: SchedulingInput): SchedulingFinding {
  const schedulerSays = schedulerSummary(input.message);
  const selector = Object.entries(input.nodeSelector ?? {});
  if (/didn't match Pod's node affinity\/selector/.test(input.message) && selector.length) {
    // With the nodes, only the pairs no node has; without, every pair the pod asks for.
    const missing = input.nodes ? selector.filter(([k, v]) => !input.nodes!.some(n => n.labels[k] === v)) : selector;
    const pairs = (missing.length ? missing : selector).map(([k, v]) => `${k}=${v}`);
    const which = pairs.join(', ');
    const many = pairs.length > 1;
    return {
      cause: input.nodes
        ? `no node has the label${many ? 's' : ''} ${which} its nodeSelector asks for`
        : `its nodeSelector asks for ${which}, which no node it may use has`,
      nextStep: `If a node has the hardware or role, label it (kubectl label node NODE ${pairs.join(' ')}); otherwise fix or remove ${many ? 'these' : 'this'} nodeSelector entr${many ? 'ies' : 'y'} in the workload.`,
      schedulerSays,
    };
  }
  const taintText = /had untolerated taint \{([^}]*)\}/.exec(input.message)?.[1];
  if (taintText) {
    const [key, value = ''] = taintText.split(':').map(s => s.trim());
    const taint = input.nodes?.flatMap(n => n.taints).find(t => t.key === key && !tolerates(input.tolerations, t));
    return {
      cause: `every node it fits has the taint ${key}${value ? `=${value}` : ''}${taint ? `:${taint.effect}` : ''}, which it does not tolerate`,
      nextStep: `Add a toleration for ${key}${taint ? ` (effect ${taint.effect})` : ''} if the pod belongs on those nodes, or remove the taint from a node.`,
      schedulerSays,
    };
  }
  const insufficient = [...new Set([...schedulerSays.matchAll(/Insufficient ([a-z0-9/-]+(?:\.[a-z0-9/-]+)*)/gi)].map(m => m[1]))];
  if (insufficient.length) {
    return {
      cause: `no node has enough free ${insufficient.join(' and ')} for its requests`,
      nextStep: `Lower the pod's ${insufficient.join('/')} requests, free capacity on a node, or add a node.`,
      schedulerSays,
    };
  }
  return {
    cause: schedulerSays,
    nextStep: "Compare the pod's nodeSelector, affinity, tolerations and resource requests with the nodes: relax them or add a node that fits.",
    schedulerSays,
  };
}

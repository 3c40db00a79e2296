import { explainScheduling, schedulerSummary } from './scheduling';

const SELECTOR_MSG =
  "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
const node = (labels: Record<string, string>, taints: Array<{ key: string; value?: string; effect: string }> = []) => ({ name: 'n1', labels, taints });

describe('why a pod fits no node', () => {
  it('says the scheduler once, without the preemption repeat', () => {
    expect(schedulerSummary(SELECTOR_MSG)).toBe("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector");
  });

  it('names the selector pairs no node has', () => {
    const f = explainScheduling({ message: SELECTOR_MSG, nodeSelector: { accelerator: 'nvidia-a100', 'kubernetes.io/os': 'linux' }, nodes: [node({ 'kubernetes.io/os': 'linux' })] });
    expect(f.cause).toBe('no node has the label accelerator=nvidia-a100 its nodeSelector asks for');
    expect(f.nextStep).toContain('kubectl label node NODE accelerator=nvidia-a100');
    expect(f.schedulerSays).toBe(schedulerSummary(SELECTOR_MSG));
  });

  it('without the nodes, names what the pod asks for', () => {
    expect(explainScheduling({ message: SELECTOR_MSG, nodeSelector: { accelerator: 'nvidia-a100' } }).cause).toBe('its nodeSelector asks for accelerator=nvidia-a100, which no node it may use has');
  });

  it('names an untolerated taint', () => {
    const f = explainScheduling({
      message: '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      nodes: [node({}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])],
    });
    expect(f.cause).toBe('every node it fits has the taint dedicated=gpu:NoSchedule, which it does not tolerate');
    expect(f.nextStep).toContain('toleration for dedicated (effect NoSchedule)');
  });

  it('names insufficient resources', () => {
    expect(explainScheduling({ message: '0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 nodes are available: 2 Insufficient memory.' }).cause).toBe('no node has enough free cpu and memory for its requests');
  });
});

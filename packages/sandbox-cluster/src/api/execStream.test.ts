import { chooseProtocol, exitStatus } from './execStream';

describe('exec stream protocol', () => {
  it('prefers v5, then v4, then the unversioned protocol', () => {
    expect(chooseProtocol(new Set(['v4.channel.k8s.io', 'v5.channel.k8s.io', 'channel.k8s.io']))).toBe('v5.channel.k8s.io');
    expect(chooseProtocol(new Set(['channel.k8s.io', 'v4.channel.k8s.io']))).toBe('v4.channel.k8s.io');
    expect(chooseProtocol(new Set(['v3.channel.k8s.io']))).toBeUndefined();
  });
  it("writes the kubelet's exit Status, with the cause type under the JSON key reason", () => {
    expect(JSON.stringify(exitStatus(0, ['true']))).toBe('{"metadata":{},"status":"Success"}');
    expect(JSON.stringify(exitStatus(3, ['sh', '-c', 'exit 3']))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
  });
});
